export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const GAP = 16;
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width + GAP && b.x < a.x + a.width + GAP && a.y < b.y + b.height + GAP && b.y < a.y + a.height + GAP;

/**
 * Where a new node of `size` goes near `at` without covering a node already there: `at` when it
 * is free, else the nearest free place on rings of candidates around it (right and below first,
 * as a reader scans). Bounded: past the last ring it gives `at` back.
 */
export function freeSpot(at: { x: number; y: number }, size: { width: number; height: number }, taken: readonly Box[]) {
  const fits = (p: { x: number; y: number }) => !taken.some((b) => overlaps({ ...p, ...size }, b));
  if (fits(at)) return at;
  const stepX = size.width / 2 + GAP;
  const stepY = size.height / 2 + GAP;
  for (let ring = 1; ring <= 12; ring++) {
    const candidates: { x: number; y: number }[] = [];
    for (let i = -ring; i <= ring; i++)
      for (let j = -ring; j <= ring; j++)
        if (Math.max(Math.abs(i), Math.abs(j)) === ring) candidates.push({ x: at.x + i * stepX, y: at.y + j * stepY });
    candidates.sort(
      (a, b) => Math.hypot(a.x - at.x, a.y - at.y) - Math.hypot(b.x - at.x, b.y - at.y) || b.x - a.x || b.y - a.y,
    );
    const free = candidates.find(fits);
    if (free) return free;
  }
  return at;
}
