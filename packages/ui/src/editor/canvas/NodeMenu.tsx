import { useCallback, useState, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { NodeGroup } from '@ptp/graph-core';
import { useEditor } from '../hooks/useEditor';
import { KEY_BINDINGS, type KeyCommand } from '../model/keyBindings';
import type { EditorNode } from '../model/editorGraph';
import type { EditorStore } from '../model/EditorStore';
import { GROUP_COLORS } from '../model/groups';
import { useServices } from '../services/EditorContext';
import { useRenameNode } from './useRenameNode';
import { popupAt, type CanvasPoint } from './canvasPopup';
import { MenuItem, PopupMenu } from './PopupMenu';

/** What an item acts with: the store, the selected nodes, where the menu opened, and the host's actions. */
interface ItemContext {
  store: EditorStore;
  selected: readonly EditorNode[];
  at: NodeMenuAt;
  runTo(ids: string[]): void;
  rename(node: EditorNode): Promise<void>;
}

interface Item {
  id: string;
  label(selected: readonly EditorNode[]): string;
  act(ctx: ItemContext): void;
  /** The shortcut shown beside it, from the table the keys are handled by. */
  command?: KeyCommand;
  danger?: boolean;
  /** Only for one node. */
  single?: boolean;
  /** Makes a group: not inside a block (frames are not kept there), nor on a group's own frame. */
  makesGroup?: boolean;
}

const ITEMS: readonly Item[] = [
  {
    id: 'runTo',
    label: (s) => (s.length > 1 ? 'Run to these' : 'Run to here'),
    act: (c) => c.runTo(c.selected.map((n) => n.id)),
  },
  {
    id: 'bypass',
    command: 'bypass',
    label: (s) => (s.every((n) => n.data.mode === 'bypass') ? 'Remove bypass' : 'Bypass'),
    act: (c) => c.store.toggleMode('bypass'),
  },
  {
    id: 'mute',
    command: 'mute',
    label: (s) => (s.every((n) => n.data.mode === 'mute') ? 'Unmute' : 'Mute'),
    act: (c) => c.store.toggleMode('mute'),
  },
  {
    id: 'collapse',
    command: 'collapse',
    label: (s) => (s.every((n) => n.data.collapsed) ? 'Expand' : 'Collapse'),
    act: (c) => c.store.toggleCollapsed(),
  },
  { id: 'rename', label: () => 'Rename…', single: true, act: (c) => void c.rename(c.selected[0]!) },
  {
    id: 'pin',
    label: (s) => (s.every((n) => n.data.pinned) ? 'Unpin' : 'Pin'),
    act: (c) => c.store.setSelectedNodesUi({ pinned: !c.selected.every((n) => n.data.pinned) || undefined }),
  },
  {
    id: 'duplicate',
    label: () => 'Duplicate',
    act: (c) => {
      const copied = c.store.copySelection();
      if (copied) c.store.paste(copied, { x: c.at.flow.x + 30, y: c.at.flow.y + 30 });
    },
  },
  { id: 'group', command: 'group', makesGroup: true, label: () => 'Group', act: (c) => c.store.groupSelection() },
  {
    id: 'delete',
    command: 'delete',
    danger: true,
    label: (s) => (s.length > 1 ? `Delete ${s.length} nodes` : 'Delete'),
    act: (c) => c.store.deleteSelection(),
  },
];

const shortcutOf = (command: KeyCommand | undefined) => KEY_BINDINGS.find((b) => b.command === command)?.keys;

/** Where the menu opened, and the group whose frame it opened on (its nodes are the selection). */
export interface NodeMenuAt extends CanvasPoint {
  group?: string;
}

/**
 * ComfyUI's node menu (right-click a node): run to here (what the node needs, and nothing else, as
 * ComfyUI's queue selected outputs), bypass, mute, collapse, rename, pin, duplicate, group, delete and
 * a colour, for the selection when the node is in it, else for that node alone (it becomes the
 * selection). Each item shows its key. Closed by a press elsewhere, Escape, or an item.
 */
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
  const { store } = useServices();
  const nodes = useEditor((s) => s.graph.nodes);
  const selected = nodes.filter((n) => n.selected);
  const inBlock = useEditor((s) => Boolean(s.scope));

  const rename = useRenameNode();

  if (!selected.length) return null;
  return (
    <PopupMenu at={at} label="node actions" testId="node-menu" onClose={onClose}>
      {at.group !== undefined && (
        <div className="node-menu-title" data-testid="node-menu-group">
          group “{at.group}”: {selected.length} node{selected.length === 1 ? '' : 's'}
        </div>
      )}
      {ITEMS.filter(
        (item) => (!item.makesGroup || (!inBlock && at.group === undefined)) && (!item.single || selected.length === 1),
      ).map((item) => (
        <MenuItem
          key={item.id}
          testId={`node-menu-${item.id}`}
          label={item.label(selected)}
          keys={shortcutOf(item.command)}
          danger={item.danger ?? false}
          onSelect={() => item.act({ store, selected, at, runTo: onRunTo, rename })}
          onClose={onClose}
        />
      ))}
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
    </PopupMenu>
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
