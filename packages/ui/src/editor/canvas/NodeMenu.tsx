import { useCallback, useEffect, useRef, useState, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { NodeGroup } from '@ptp/graph-core';
import { useEditor } from '../hooks/useEditor';
import { KEY_BINDINGS, type KeyCommand } from '../model/keyBindings';
import type { EditorNode } from '../model/editorGraph';
import { GROUP_COLORS } from '../model/groups';
import { useServices } from '../services/EditorContext';
import { popupAt, usePressOutside, type CanvasPoint } from './canvasPopup';

interface Item {
  id: string;
  label: (selected: readonly EditorNode[]) => string;
  /** The shortcut shown beside it, from the table the keys are handled by. */
  command?: KeyCommand;
  danger?: boolean;
  /** Only for one node. */
  single?: boolean;
}

const every = (nodes: readonly EditorNode[], test: (n: EditorNode) => boolean) => nodes.every(test);

const ITEMS: readonly Item[] = [
  { id: 'runTo', label: (s) => (s.length > 1 ? 'Run to these' : 'Run to here') },
  {
    id: 'bypass',
    command: 'bypass',
    label: (s) => (every(s, (n) => n.data.mode === 'bypass') ? 'Remove bypass' : 'Bypass'),
  },
  { id: 'mute', command: 'mute', label: (s) => (every(s, (n) => n.data.mode === 'mute') ? 'Unmute' : 'Mute') },
  {
    id: 'collapse',
    command: 'collapse',
    label: (s) => (every(s, (n) => Boolean(n.data.collapsed)) ? 'Expand' : 'Collapse'),
  },
  { id: 'rename', label: () => 'Rename…', single: true },
  { id: 'pin', label: (s) => (every(s, (n) => Boolean(n.data.pinned)) ? 'Unpin' : 'Pin') },
  { id: 'duplicate', label: () => 'Duplicate' },
  { id: 'group', command: 'group', label: () => 'Group' },
  {
    id: 'delete',
    command: 'delete',
    label: (s) => (s.length > 1 ? `Delete ${s.length} nodes` : 'Delete'),
    danger: true,
  },
];

const shortcutOf = (command: KeyCommand | undefined) => KEY_BINDINGS.find((b) => b.command === command)?.keys;

/**
 * ComfyUI's node menu (right-click a node): run to here (what the node needs, and nothing else, as
 * ComfyUI's queue selected outputs), bypass, mute, collapse, rename, pin, duplicate, group, delete and
 * a colour, for the selection when the node is in it, else for that node alone (it becomes the
 * selection). Each item shows its key. Closed by a press elsewhere, Escape, or an item.
 */
/** Where the menu opened, and the group whose frame it opened on (its nodes are the selection). */
export interface NodeMenuAt extends CanvasPoint {
  group?: string;
}

export function NodeMenu({
  at,
  onClose,
  onRunTo,
}: {
  at: NodeMenuAt;
  onClose(): void;
  /** Runs what the given nodes need, and nothing else. */
  onRunTo(ids: string[]): void;
}) {
  const { store, ask } = useServices();
  const nodes = useEditor((s) => s.graph.nodes);
  const index = useEditor((s) => s.index);
  const selected = nodes.filter((n) => n.selected);
  const inBlock = useEditor((s) => Boolean(s.scope));
  const box = useRef<HTMLDivElement>(null);

  usePressOutside(box, onClose);
  useEffect(() => {
    box.current?.querySelector('button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);

  const act = (id: string) => {
    if (id === 'runTo') onRunTo(selected.map((n) => n.id));
    else if (id === 'bypass') store.toggleMode('bypass');
    else if (id === 'mute') store.toggleMode('mute');
    else if (id === 'collapse') store.toggleCollapsed();
    else if (id === 'group') store.groupSelection();
    else if (id === 'delete') store.deleteSelection();
    else if (id === 'rename') void rename(selected[0]!);
    else if (id === 'pin') store.setSelectedNodesUi({ pinned: !selected.every((n) => n.data.pinned) || undefined });
    else if (id === 'duplicate') {
      const copied = store.copySelection();
      if (copied) store.paste(copied, { x: at.flow.x + 30, y: at.flow.y + 30 });
    }
    onClose();
  };

  /** The node's own title (saved as its `ui.label`); empty gives it back its type's title. */
  const rename = async (node: EditorNode) => {
    const typeTitle = index.byType.get(node.data.nodeType)?.title ?? node.data.nodeType;
    const name = await ask({
      title: `Rename “${node.data.label ?? typeTitle}”`,
      label: `Title (empty: ${typeTitle})`,
      initial: node.data.label ?? '',
      confirm: 'Rename',
      allowEmpty: true,
    });
    if (name !== undefined) store.setNodeUi(node.id, { label: name.trim() || undefined });
  };

  if (!selected.length) return null;
  return (
    <div
      ref={box}
      className="node-menu"
      role="menu"
      aria-label="node actions"
      data-testid="node-menu"
      style={{ left: at.screen.x, top: at.screen.y }}
      onContextMenu={(e) => e.preventDefault()}
    >
      {at.group !== undefined && (
        <div className="node-menu-title" data-testid="node-menu-group">
          group “{at.group}”: {selected.length} node{selected.length === 1 ? '' : 's'}
        </div>
      )}
      {ITEMS.filter(
        (item) =>
          (item.id !== 'group' || (!inBlock && at.group === undefined)) && (!item.single || selected.length === 1),
      ).map((item) => {
        const keys = shortcutOf(item.command);
        return (
          <button
            key={item.id}
            type="button"
            role="menuitem"
            className={item.danger ? 'danger' : undefined}
            data-testid={`node-menu-${item.id}`}
            onClick={() => act(item.id)}
          >
            <span>{item.label(selected)}</span>
            {keys && <kbd>{keys}</kbd>}
          </button>
        );
      })}
      <div className="node-menu-colors" role="group" aria-label="colour">
        {[undefined, ...GROUP_COLORS].map((color) => (
          <button
            key={color ?? 'none'}
            type="button"
            role="menuitemradio"
            aria-checked={selected.every((n) => n.data.color === color)}
            title={color ? `colour ${color}` : 'no colour'}
            className={color ? undefined : 'none'}
            style={color ? { background: color } : undefined}
            data-testid={`node-menu-color-${color ?? 'none'}`}
            onClick={() => {
              store.setSelectedNodesUi({ color });
              onClose();
            }}
          />
        ))}
      </div>
    </div>
  );
}

/** The node menu: where it is open, and the right-click that opens it (selecting the node first). */
export function useNodeMenu(canvasRef: RefObject<HTMLDivElement | null>) {
  const rf = useReactFlow();
  const { store } = useServices();
  const [menu, setMenu] = useState<NodeMenuAt>();
  const onNodeContextMenu = useCallback(
    (e: ReactMouseEvent, node: { id: string; selected?: boolean; data?: unknown }) => {
      e.preventDefault();
      const box = canvasRef.current?.getBoundingClientRect();
      if (!box) return;
      // A group's frame (a node to React Flow too): the menu acts on the group's nodes, as
      // ComfyUI's group menu bypasses or mutes a whole group.
      const group = (node.data as { group?: NodeGroup } | undefined)?.group;
      if (group) store.selectOnly(group.nodes);
      else if (!store.getState().graph.nodes.some((n) => n.id === node.id)) return;
      else if (!node.selected) store.selectOnly([node.id]);
      // The menu is about 200 wide, 290 tall.
      const at = popupAt(e, box, { width: 210, height: 300 }, rf.screenToFlowPosition);
      setMenu(at && (group ? { ...at, group: group.title } : at));
    },
    [rf, store, canvasRef],
  );
  const closeNodeMenu = useCallback(() => setMenu(undefined), []);
  return { nodeMenu: menu, onNodeContextMenu, closeNodeMenu };
}
