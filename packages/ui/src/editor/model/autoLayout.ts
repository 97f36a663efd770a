/** A node's measured box (graph units) for layout. */
export interface LayoutBox {
  id: string;
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Columns are filled up to this height before the next starts (graph units). */
  maxHeight: number;
  gapX?: number;
  gapY?: number;
}

/** Longest-path layers (sources 0); nodes on a cycle keep layer 0. */
function layers(ids: readonly string[], edges: readonly { from: string; to: string }[]): Map<string, number> {
  const layer = new Map(ids.map((id) => [id, 0]));
  const incoming = new Map(ids.map((id) => [id, [] as string[]]));
  for (const e of edges) if (layer.has(e.from) && layer.has(e.to)) incoming.get(e.to)!.push(e.from);
  // Relaxation bounded by the node count: terminates on cycles too.
  for (let round = 0; round < ids.length; round++) {
    let changed = false;
    for (const id of ids)
      for (const from of incoming.get(id)!) {
        const want = layer.get(from)! + 1;
        if (want > layer.get(id)! && want < ids.length) {
          layer.set(id, want);
          changed = true;
        }
      }
    if (!changed) break;
  }
  return layer;
}

/**
 * A compact left-to-right layout: nodes in dataflow order (by layer, then near the nodes that feed
 * them), stacked into columns no taller than `maxHeight`, so a graph reads like a page and fits a
 * screen at a legible zoom instead of one long row of layers.
 */
export function compactLayout(
  boxes: readonly LayoutBox[],
  edges: readonly { from: string; to: string }[],
  options: LayoutOptions,
): Map<string, { x: number; y: number }> {
  const gapX = options.gapX ?? 40;
  const gapY = options.gapY ?? 18;
  const ids = boxes.map((b) => b.id);
  const layer = layers(ids, edges);
  const docOrder = new Map(ids.map((id, i) => [id, i]));
  const rank = new Map<string, number>();
  const preds = (id: string) => edges.filter((e) => e.to === id && rank.has(e.from)).map((e) => rank.get(e.from)!);
  const byLayer = [...new Set(layer.values())].sort((a, b) => a - b);
  for (const l of byLayer) {
    const here = ids.filter((id) => layer.get(id) === l);
    const key = (id: string) => {
      const p = preds(id);
      return p.length ? p.reduce((a, b) => a + b, 0) / p.length : docOrder.get(id)!;
    };
    here.sort((a, b) => key(a) - key(b) || docOrder.get(a)! - docOrder.get(b)!);
    for (const id of here) rank.set(id, rank.size);
  }
  const ordered = [...rank.keys()];
  const box = new Map(boxes.map((b) => [b.id, b]));
  const out = new Map<string, { x: number; y: number }>();
  let x = 0;
  let y = 0;
  let columnWidth = 0;
  for (const id of ordered) {
    const b = box.get(id)!;
    if (y > 0 && y + b.height > options.maxHeight) {
      x += columnWidth + gapX;
      y = 0;
      columnWidth = 0;
    }
    out.set(id, { x, y });
    y += b.height + gapY;
    columnWidth = Math.max(columnWidth, b.width);
  }
  return out;
}
