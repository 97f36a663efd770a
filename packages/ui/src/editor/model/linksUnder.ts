export interface Point {
  x: number;
  y: number;
}

export interface Rect extends Point {
  width: number;
  height: number;
}

/** A link's path as points along it (flow coordinates). */
export interface LinkPath {
  id: string;
  points: readonly Point[];
}

/**
 * The links whose path passes through `rect` (a node being dragged), nearest its centre first:
 * where a dropped node would be put into a link. A link whose end lies inside counts too.
 */
export function linksUnder(rect: Rect, links: Iterable<LinkPath>): string[] {
  const cx = rect.x + rect.width / 2;
  const cy = rect.y + rect.height / 2;
  const hits: { id: string; distance: number }[] = [];
  for (const link of links) {
    let distance = Infinity;
    for (const p of link.points) {
      const inside = p.x >= rect.x && p.x <= rect.x + rect.width && p.y >= rect.y && p.y <= rect.y + rect.height;
      if (inside) distance = Math.min(distance, Math.hypot(p.x - cx, p.y - cy));
    }
    if (distance < Infinity) hits.push({ id: link.id, distance });
  }
  return hits.sort((a, b) => a.distance - b.distance).map((h) => h.id);
}
