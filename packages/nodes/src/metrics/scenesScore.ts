import type { JudgedObject, SceneJudgement } from './scenesJudge.js';
import type { Scene } from './scenesWorld.js';

/**
 * Scoring a judged picture against the scene its caption prompted, and the attention-overlap
 * figure (issue 13): does the averaged cross-attention map of an object's word land on the object?
 */
export interface SceneScore {
  /** Prompted objects whose assigned judged object has the prompted colour / shape. */
  readonly colour: number;
  readonly shape: number;
  /** Prompted objects whose assigned judged object has the prompted size (not used to assign). */
  readonly size: number;
  readonly objects: number;
  readonly countRight: boolean;
  readonly backgroundRight: boolean;
  /** Per prompted object (caption order), the judged object assigned to it, if any. */
  readonly assigned: readonly (JudgedObject | undefined)[];
}

/** Largest components considered: an untrained model's speckle would make the assignment explode. */
const MAX_CANDIDATES = 6;

function* permutations(n: number, k: number, prefix: number[] = []): Generator<number[]> {
  if (prefix.length === k) {
    yield prefix;
    return;
  }
  for (let i = 0; i < n; i++) if (!prefix.includes(i)) yield* permutations(n, k, [...prefix, i]);
}

/**
 * Assigns judged objects to prompted ones, one to one (a prompted object may get none): most
 * colours right counts twice, then shapes, then keeping the left-to-right order of the caption.
 * Why not just match by order: objects stacked one above the other have nearly equal x.
 */
export function scoreScene(want: Pick<Scene, 'background' | 'objects'>, got: SceneJudgement): SceneScore {
  const biggest = [...got.objects].sort((a, b) => b.pixels - a.pixels).slice(0, MAX_CANDIDATES);
  const cands: (JudgedObject | undefined)[] = [...biggest.sort((a, b) => a.cx - b.cx)];
  const n = want.objects.length;
  for (let i = 0; i < n; i++) cands.push(undefined);
  let best = { key: [-1, -1], colour: 0, shape: 0, assigned: [] as (JudgedObject | undefined)[] };
  for (const perm of permutations(cands.length, n)) {
    const assigned = perm.map((i) => cands[i]);
    const colour = want.objects.filter((o, k) => assigned[k]?.colour === o.colour).length;
    const shape = want.objects.filter((o, k) => assigned[k]?.shape === o.shape).length;
    const ordered = perm.slice(1).filter((v, i) => perm[i]! < v).length;
    const key = [2 * colour + shape, ordered];
    if (key[0]! > best.key[0]! || (key[0] === best.key[0] && key[1]! > best.key[1]!))
      best = { key, colour, shape, assigned };
  }
  return {
    colour: best.colour,
    shape: best.shape,
    size: want.objects.filter((o, k) => best.assigned[k]?.size === o.size).length,
    objects: n,
    countRight: got.objects.length === n,
    backgroundRight: got.background === want.background,
    assigned: best.assigned,
  };
}

/**
 * Token positions of each object's word from `shapes` in a caption (its shape word; pass the
 * colour names for its colour word), in caption order, up to "on" (the background phrase).
 */
export function objectWordTokens(
  words: readonly { word: string; tokenIndices: readonly number[] }[],
  shapes: readonly string[],
): number[][] {
  const out: number[][] = [];
  for (const w of words) {
    const word = w.word.toLowerCase();
    if (word === 'on') break;
    if (shapes.includes(word)) out.push([...w.tokenIndices]);
  }
  return out;
}

/** Bilinear resize (half-pixel centres, as torch's align_corners=False) of a [h, w] map to [size, size]. */
export function resizeMap(map: ArrayLike<number>, grid: readonly [number, number], size: number): Float32Array {
  const [h, w] = grid;
  const out = new Float32Array(size * size);
  const at = (y: number, x: number) => map[Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))]!;
  for (let Y = 0; Y < size; Y++) {
    const fy = Math.max(0, ((Y + 0.5) * h) / size - 0.5);
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let X = 0; X < size; X++) {
      const fx = Math.max(0, ((X + 0.5) * w) / size - 0.5);
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const top = at(y0, x0) * (1 - tx) + at(y0, x0 + 1) * tx;
      const bottom = at(y0 + 1, x0) * (1 - tx) + at(y0 + 1, x0 + 1) * tx;
      out[Y * size + X] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

/** One word's map from maps [cells, T] at several resolutions: each resized, normalised to max 1, averaged. */
export function averagedWordMap(
  groups: readonly { grid: readonly [number, number]; maps: ArrayLike<number> }[],
  tokenLength: number,
  tokens: readonly number[],
  size: number,
): Float32Array {
  const acc = new Float32Array(size * size);
  for (const g of groups) {
    const cells = g.grid[0] * g.grid[1];
    const m = new Float32Array(cells);
    for (let c = 0; c < cells; c++) for (const t of tokens) m[c] = m[c]! + g.maps[c * tokenLength + t]!;
    const up = resizeMap(m, g.grid, size);
    const max = Math.max(...up, 1e-12);
    for (let p = 0; p < acc.length; p++) acc[p] = acc[p]! + up[p]! / max / groups.length;
  }
  return acc;
}

/** IoU of (map >= threshold x its max) with a 1/0 mask of the same size. */
export function thresholdIoU(map: ArrayLike<number>, mask: ArrayLike<number>, threshold = 0.5): number {
  let max = 1e-12;
  for (let p = 0; p < map.length; p++) max = Math.max(max, map[p]!);
  let inter = 0;
  let union = 0;
  for (let p = 0; p < map.length; p++) {
    const a = map[p]! >= threshold * max;
    const b = mask[p]! > 0;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union ? inter / union : 0;
}
