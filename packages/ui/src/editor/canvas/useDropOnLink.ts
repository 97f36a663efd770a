import { useCallback, useRef, useState, type RefObject } from 'react';
import type { Node, OnNodeDrag } from '@xyflow/react';
import type { EditorStore } from '../model/EditorStore';
import { linksUnder, type LinkPath, type Rect } from '../model/linksUnder';

/** Flow units between the points sampled along a link. */
const SAMPLE_STEP = 8;

/** Points along the drawn links whose bounds meet `rect` (flow coordinates: the paths are drawn in them). */
function linkPathsNear(root: HTMLElement, rect: Rect): LinkPath[] {
  const paths: LinkPath[] = [];
  for (const edge of root.querySelectorAll<SVGGElement>('.react-flow__edge')) {
    const id = edge.getAttribute('data-id');
    const path = edge.querySelector<SVGPathElement>('path.react-flow__edge-path');
    if (!id || !path) continue;
    const box = path.getBBox();
    const apart =
      box.x > rect.x + rect.width ||
      box.x + box.width < rect.x ||
      box.y > rect.y + rect.height ||
      box.y + box.height < rect.y;
    if (apart) continue;
    const length = path.getTotalLength();
    const n = Math.max(2, Math.ceil(length / SAMPLE_STEP));
    paths.push({ id, points: Array.from({ length: n + 1 }, (_, i) => path.getPointAtLength((length * i) / n)) });
  }
  return paths;
}

/**
 * Drop a node on a link to put it into the link (ComfyUI's habit): while a single node with no
 * links is dragged over a link it fits, that link is marked (`target`); let go and the node is
 * spliced in, in the drag's undo step. `onDragStop` is the canvas's own end-of-drag handler.
 */
export function useDropOnLink(
  store: EditorStore,
  canvasRef: RefObject<HTMLElement | null>,
  onDragStop: () => void,
): { target: string | undefined; onNodeDrag: OnNodeDrag; onNodeDragStop: OnNodeDrag } {
  const [target, setTarget] = useState<string>();
  const current = useRef<string>(undefined);
  const mark = useCallback((id: string | undefined) => {
    if (current.current === id) return;
    current.current = id;
    setTarget(id);
  }, []);

  // Links do not change during a drag: whether the node has any, and which links it fits, are
  // worked out once per drag, not on every frame.
  const drag = useRef<{ node: string; linked: boolean; fits: Map<string, boolean> }>(undefined);
  const dragOf = useCallback(
    (id: string) => {
      if (drag.current?.node !== id) {
        const linked = store.getState().graph.edges.some((e) => e.source === id || e.target === id);
        drag.current = { node: id, linked, fits: new Map() };
      }
      return drag.current;
    },
    [store],
  );

  const onNodeDrag = useCallback<OnNodeDrag>(
    (_event, node: Node, dragged: Node[]) => {
      const root = canvasRef.current;
      const { width, height } = node.measured ?? {};
      // A group's title dragged is no node to put into a link.
      if (!root || dragged.length !== 1 || node.type !== 'ptp' || !width || !height) return mark(undefined);
      const { linked, fits } = dragOf(node.id);
      if (linked) return mark(undefined);
      const fit = (link: string) => {
        if (!fits.has(link)) fits.set(link, store.canSplice(node.id, link));
        return fits.get(link)!;
      };
      const rect = { x: node.position.x, y: node.position.y, width, height };
      mark(linksUnder(rect, linkPathsNear(root, rect)).find(fit));
    },
    [store, canvasRef, mark, dragOf],
  );

  const onNodeDragStop = useCallback<OnNodeDrag>(
    (_event, node: Node) => {
      const id = current.current;
      drag.current = undefined;
      mark(undefined);
      if (id) store.spliceIntoEdge(node.id, id);
      onDragStop();
    },
    [store, mark, onDragStop],
  );
  return { target, onNodeDrag, onNodeDragStop };
}
