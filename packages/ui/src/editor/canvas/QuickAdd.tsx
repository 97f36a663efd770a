import { useCallback, useMemo, useRef, useState, type MouseEvent as ReactMouseEvent } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useEditor } from '../hooks/useEditor';
import { quickAddChoices, type DanglingLink, type QuickAddChoice } from '../model/quickAdd';
import { useServices } from '../services/EditorContext';
import { categoryColor } from './categoryColors';
import { popupAt, usePressOutside, type CanvasPoint } from './canvasPopup';

/** Where the quick-add search opened: on the screen (for the box) and in the flow (for the node). */
export interface QuickAddAt extends CanvasPoint {
  /** Opened by letting go of a link on the empty canvas: the node added takes it. */
  link?: DanglingLink;
}

/**
 * ComfyUI's search box on the canvas (double-click the empty canvas, or let go of a link there):
 * type to narrow, arrows to pick, Enter or a click adds the node there, linked to the dangling link.
 */
export function QuickAdd({ at, onClose }: { at: QuickAddAt; onClose(): void }) {
  const { store } = useServices();
  const index = useEditor((s) => s.index);
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const choices = useMemo(() => quickAddChoices(index, query, at.link), [index, query, at.link]);
  const box = useRef<HTMLDivElement>(null);

  usePressOutside(box, onClose);

  const add = (choice: QuickAddChoice | undefined) => {
    if (!choice) return;
    const { link } = at;
    // Dragged from an input, the new node sits to its left so its output faces the input.
    const position = link?.side === 'target' ? { x: at.flow.x - 260, y: at.flow.y - 20 } : at.flow;
    store.addNode(
      choice.entry.type,
      position,
      link && choice.socket
        ? { node: link.node, handle: link.handle, side: link.side, socket: choice.socket }
        : undefined,
    );
    onClose();
  };

  return (
    <div
      ref={box}
      className="quick-add nowheel"
      role="dialog"
      aria-label="add a node"
      data-testid="quick-add"
      style={{ left: at.screen.x, top: at.screen.y }}
    >
      <input
        type="search"
        autoFocus
        placeholder={at.link ? `Add a node that takes ${at.link.type}…` : 'Add a node…'}
        value={query}
        data-testid="quick-add-search"
        onChange={(e) => {
          setQuery(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const step = e.key === 'ArrowDown' ? 1 : -1;
            setActive((i) => (choices.length ? (i + step + choices.length) % choices.length : 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            add(choices[active]);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
          }
        }}
      />
      <ul role="listbox">
        {choices.length === 0 && (
          <li className="hint">
            no node type{at.link ? ` takes ${at.link.type}` : ''} matches “{query}”
          </li>
        )}
        {choices.map((c, i) => (
          <li
            key={c.entry.type}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'active' : ''}
            style={{ borderLeftColor: categoryColor(c.entry.category) }}
            data-testid={`quick-add-${c.entry.type}`}
            onPointerEnter={() => setActive(i)}
            onClick={() => add(c)}
          >
            <span>{c.entry.title}</span>
            <span className="type">
              {c.socket
                ? `${c.entry.type} · ${at.link?.side === 'source' ? 'into' : 'from'} “${c.socket}”`
                : c.entry.type}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** The quick-add search: where it is open, and the two ways to open it. */
export function useQuickAdd() {
  const rf = useReactFlow();
  const canvasRef = useRef<HTMLDivElement>(null);
  const [quickAdd, setQuickAdd] = useState<QuickAddAt>();
  const openQuickAdd = useCallback(
    (event: MouseEvent | TouchEvent | ReactMouseEvent, link?: DanglingLink) => {
      const box = canvasRef.current?.getBoundingClientRect();
      // The box is 260 wide, up to about 380 tall.
      const at = box && popupAt(event, box, { width: 268, height: 388 }, rf.screenToFlowPosition);
      if (at) setQuickAdd({ ...at, ...(link ? { link } : {}) });
    },
    [rf],
  );
  const closeQuickAdd = useCallback(() => setQuickAdd(undefined), []);
  const onDoubleClick = useCallback(
    (e: ReactMouseEvent) => {
      if ((e.target as Element).classList?.contains('react-flow__pane')) openQuickAdd(e);
    },
    [openQuickAdd],
  );
  return { quickAdd, openQuickAdd, closeQuickAdd, onDoubleClick, canvasRef };
}
