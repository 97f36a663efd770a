import { useCallback, useRef, useState, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useServices } from '../services/EditorContext';
import { popupAt, useMenuPopup, type CanvasPoint } from './canvasPopup';

/** Where the menu opened and the link it is for. */
export interface EdgeMenuAt extends CanvasPoint {
  edge: string;
}

/**
 * A link's menu (right-click a link): a Reroute where it was clicked, splitting the link in two
 * (ComfyUI's "add reroute"), or delete the link. Closed by a press elsewhere, Escape, or an item.
 */
export function EdgeMenu({ at, onClose }: { at: EdgeMenuAt; onClose(): void }) {
  const { store } = useServices();
  const box = useRef<HTMLDivElement>(null);
  useMenuPopup(box, onClose);
  const item = (id: string, label: string, act: () => void, danger = false) => (
    <button
      type="button"
      role="menuitem"
      className={danger ? 'danger' : undefined}
      data-testid={`edge-menu-${id}`}
      onClick={() => {
        act();
        onClose();
      }}
    >
      <span>{label}</span>
    </button>
  );
  return (
    <div
      ref={box}
      className="node-menu"
      role="menu"
      aria-label="link actions"
      data-testid="edge-menu"
      style={{ left: at.screen.x, top: at.screen.y }}
      onContextMenu={(e) => e.preventDefault()}
    >
      {/* The dot is 26 x 14: centred on the point clicked. */}
      {item('reroute', 'Add reroute here', () => store.rerouteEdge(at.edge, { x: at.flow.x - 13, y: at.flow.y - 7 }))}
      {item('delete', 'Delete link', () => store.removeEdges([at.edge]), true)}
    </div>
  );
}

/** The link menu: where it is open, and the right-click on a link that opens it. */
export function useEdgeMenu(canvasRef: RefObject<HTMLDivElement | null>) {
  const rf = useReactFlow();
  const [menu, setMenu] = useState<EdgeMenuAt>();
  const onEdgeContextMenu = useCallback(
    (e: ReactMouseEvent, edge: { id: string }) => {
      e.preventDefault();
      const box = canvasRef.current?.getBoundingClientRect();
      const at = box && popupAt(e, box, { width: 200, height: 80 }, rf.screenToFlowPosition);
      if (at) setMenu({ ...at, edge: edge.id });
    },
    [rf, canvasRef],
  );
  const closeEdgeMenu = useCallback(() => setMenu(undefined), []);
  return { edgeMenu: menu, onEdgeContextMenu, closeEdgeMenu };
}
