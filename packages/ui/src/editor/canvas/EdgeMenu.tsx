import { useCallback, useState, type MouseEvent as ReactMouseEvent, type RefObject } from 'react';
import { useReactFlow } from '@xyflow/react';
import { useServices } from '../services/EditorContext';
import { popupAt, type CanvasPoint } from './canvasPopup';
import { MenuItem, PopupMenu } from './PopupMenu';

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
  return (
    <PopupMenu at={at} label="link actions" testId="edge-menu" onClose={onClose}>
      <MenuItem
        testId="edge-menu-reroute"
        label="Add reroute here"
        // The dot is 26 x 14: centred on the point clicked.
        onSelect={() => store.rerouteEdge(at.edge, { x: at.flow.x - 13, y: at.flow.y - 7 })}
        onClose={onClose}
      />
      <MenuItem
        testId="edge-menu-delete"
        label="Delete link"
        danger
        onSelect={() => store.removeEdges([at.edge])}
        onClose={onClose}
      />
    </PopupMenu>
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
