import type { CatalogueEntry } from '@ptp/graph-core';
import type { EditorState } from '../model/editorState';
import { freeSpot } from '../model/freeSpot';
import { estimateNodeSize } from '../model/nodeSize';

/**
 * Where a node of `entry` goes when it is added without a drop point: the middle of the visible
 * canvas, or the nearest place there where it covers no node.
 */
export function freeSpotInView(
  toFlow: (client: { x: number; y: number }) => { x: number; y: number },
  state: Pick<EditorState, 'graph' | 'index'>,
  entry?: CatalogueEntry,
): { x: number; y: number } {
  const size = estimateNodeSize(entry);
  const box = document.querySelector('.canvas')?.getBoundingClientRect();
  const c = box ? toFlow({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
  const taken = state.graph.nodes.map((n) => {
    // A node added a moment ago may not be measured yet: its estimate stands in.
    const guess = estimateNodeSize(state.index.byType.get(n.data.nodeType));
    return { ...n.position, width: n.measured?.width ?? guess.width, height: n.measured?.height ?? guess.height };
  });
  return freeSpot({ x: c.x - size.width / 2, y: c.y - size.height / 2 }, size, taken);
}
