import type { RgbaImage } from '../image/ImageBatch.js';
import { COLOURS, type ColourName, type Rgb } from './shapesWorld.js';
import {
  backgroundAt,
  SCENE_BACKGROUNDS,
  SIZE_RANGES,
  type SceneBackground,
  type SceneShape,
  type SceneSize,
} from './scenesWorld.js';

/**
 * Judges a picture of the tiny-scenes world object by object (what the model drew):
 *
 * 1. background: the kind whose template (scenesWorld.backgroundAt) is nearest, by the mean over
 *    pixels of min(distance, 0.5) (objects cover well under half the picture, the cap keeps them
 *    from deciding); the distance of a pixel to a template is the smallest RGB distance to the
 *    template's 3x3 neighbourhood, so a stripe or checker edge drawn a pixel off still matches;
 * 2. foreground: pixels farther than `foregroundThreshold` from the background; holes (the dots of
 *    dotted objects can come close to a dark background) are filled: every non-foreground pixel
 *    not connected to the border joins the foreground;
 * 3. objects: 4-connected components of at least `minObjectPixels` (the smallest object has ~70);
 * 4. colour: nearest palette colour of the per-channel median of the component (dots, about a
 *    fifth of a dotted object, and anti-aliased edges do not move a median);
 * 5. shape: fill = area / (width x height) measured with sub-pixel coverage (see coverageFill):
 *    square 1, circle pi/4, triangle and diamond 1/2; on ground truth circles fill 0.76-0.79
 *    (dotted ones included), squares 0.93-1.00, triangles and diamonds 0.50-0.60 (1,000
 *    objects). Square from 0.83 (as the tiny-shapes judge: a trained model's squares have
 *    slightly rounded corners), circle from 0.64; below, the centroid's height in the mask's box
 *    decides: a triangle (apex up) has it at 2/3 (0.61-0.67 measured), a diamond at 1/2
 *    (0.47-0.54). With 1-px blur and noise of std 0.06 on the renders: shape 99.7%, colour,
 *    count and background 100% (200 scenes);
 * 6. size: every shape spans 2r across (the triangle's base, the diamond's diagonals), so half the
 *    larger of the coverage width and height (as for the fill) estimates r; the size is the range of SIZE_RANGES it falls
 *    in, split halfway across the gaps between them (small < 8 px <= medium <= 11 px < large).
 * Objects come back left to right (by centroid x), the order captions name them.
 * Accuracy on exact renders is measured by scenesJudge.test.ts.
 */
export interface ScenesJudgeOptions {
  readonly foregroundThreshold?: number;
  readonly minObjectPixels?: number;
  /** Fill ratios: below [0] triangle or diamond, below [1] circle, else square. */
  readonly circleFill?: readonly [number, number];
  /** Centroid height (0 top .. 1 bottom of the box) above which a low-fill object is a triangle. */
  readonly triangleCentroid?: number;
}

export const SCENES_JUDGE_DEFAULTS = {
  foregroundThreshold: 0.3,
  minObjectPixels: 24,
  circleFill: [0.64, 0.83] as const,
  triangleCentroid: 0.58,
} satisfies Required<ScenesJudgeOptions>;

export interface JudgedObject {
  readonly colour: ColourName;
  readonly shape: SceneShape;
  readonly size: SceneSize;
  /** Half the larger side of the component's box, pixels (the world's half extent r). */
  readonly halfExtent: number;
  readonly pixels: number;
  readonly cx: number;
  readonly cy: number;
  readonly fill: number;
  readonly centroidY: number;
  /** Pixel indices of the component (row-major). */
  readonly indices: Uint32Array;
}

export interface SceneJudgement {
  readonly background: SceneBackground;
  readonly objects: readonly JudgedObject[];
  /** Foreground after hole filling, 1/0 per pixel. */
  readonly foreground: Uint8Array;
}

const dist = (a: Rgb, b: Rgb) => Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
const pixel = (im: RgbaImage, p: number): Rgb => [
  im.rgba[p * 4]! / 255,
  im.rgba[p * 4 + 1]! / 255,
  im.rgba[p * 4 + 2]! / 255,
];

/** Per pixel: RGB distance to the nearest template colour in the 3x3 neighbourhood. */
export function backgroundDistance(im: RgbaImage, kind: SceneBackground): Float32Array {
  const { width: W, height: H } = im;
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c = pixel(im, y * W + x);
      let best = Infinity;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(H - 1, y + 1); yy++)
        for (let xx = Math.max(0, x - 1); xx <= Math.min(W - 1, x + 1); xx++)
          best = Math.min(best, dist(c, backgroundAt(kind, xx, yy)));
      out[y * W + x] = best;
    }
  }
  return out;
}

function nearestColour(c: Rgb): ColourName {
  let best: ColourName = 'red';
  let bestD = Infinity;
  for (const [k, v] of Object.entries(COLOURS) as [ColourName, Rgb][]) {
    const d = dist(c, v);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Marks non-foreground pixels reachable from the border; the rest join the foreground. */
function fillHoles(fg: Uint8Array, W: number, H: number): Uint8Array {
  const outside = new Uint8Array(W * H);
  const stack: number[] = [];
  const push = (p: number) => {
    if (!fg[p] && !outside[p]) {
      outside[p] = 1;
      stack.push(p);
    }
  };
  for (let x = 0; x < W; x++) {
    push(x);
    push((H - 1) * W + x);
  }
  for (let y = 0; y < H; y++) {
    push(y * W);
    push(y * W + W - 1);
  }
  while (stack.length) {
    const p = stack.pop()!;
    const x = p % W;
    if (x > 0) push(p - 1);
    if (x < W - 1) push(p + 1);
    if (p >= W) push(p - W);
    if (p < (H - 1) * W) push(p + W);
  }
  return outside.map((v) => 1 - v);
}

/** 4-connected components of `mask`, each as its pixel indices. */
export function components(mask: Uint8Array, W: number): number[][] {
  const seen = new Uint8Array(mask.length);
  const out: number[][] = [];
  for (let s = 0; s < mask.length; s++) {
    if (!mask[s] || seen[s]) continue;
    const comp: number[] = [];
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      comp.push(p);
      const x = p % W;
      for (const q of [x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, p - W, p + W])
        if (q >= 0 && q < mask.length && mask[q] && !seen[q]) {
          seen[q] = 1;
          stack.push(q);
        }
    }
    out.push(comp);
  }
  return out;
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[Math.floor((values.length - 1) / 2)]!;
}

/**
 * Sub-pixel fill ratio of a component: interior pixels (all 4 neighbours in it) count 1; its edge
 * pixels and the ring just outside count their coverage alpha, the position of the pixel's colour
 * between the background template there and the judged palette colour. Area = sum of alpha,
 * width = sum over columns of the largest alpha, height likewise. Why: the thresholded mask of a
 * small circle fills up to 0.87 of its box and a slightly blurred square drops below 0.88; with
 * coverage circles sit near pi/4 and squares near 1, as in the tiny-shapes judge.
 */
function coverageFill(
  im: RgbaImage,
  comp: readonly number[],
  fg: Rgb,
  kind: SceneBackground,
): { fill: number; width: number; height: number } {
  const { width: W, height: H } = im;
  const inComp = new Set(comp);
  const alpha = new Map<number, number>();
  const soft = (p: number) => {
    const x = p % W;
    const bg = backgroundAt(kind, x, (p - x) / W);
    const c = pixel(im, p);
    let s = 0;
    let dd = 0;
    for (let k = 0; k < 3; k++) {
      s += (c[k]! - bg[k]!) * (fg[k]! - bg[k]!);
      dd += (fg[k]! - bg[k]!) ** 2;
    }
    return Math.min(1, Math.max(0, s / Math.max(dd, 1e-9)));
  };
  for (const p of comp) {
    const x = p % W;
    const y = (p - x) / W;
    const nb = [x > 0 ? p - 1 : -1, x < W - 1 ? p + 1 : -1, y > 0 ? p - W : -1, y < H - 1 ? p + W : -1];
    if (nb.every((q) => q >= 0 && inComp.has(q))) {
      alpha.set(p, 1);
      continue;
    }
    alpha.set(p, soft(p));
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        const q = yy * W + xx;
        if (xx >= 0 && yy >= 0 && xx < W && yy < H && !inComp.has(q) && !alpha.has(q)) alpha.set(q, soft(q));
      }
  }
  const cols = new Map<number, number>();
  const rows = new Map<number, number>();
  let area = 0;
  for (const [p, a] of alpha) {
    const x = p % W;
    const y = (p - x) / W;
    area += a;
    cols.set(x, Math.max(cols.get(x) ?? 0, a));
    rows.set(y, Math.max(rows.get(y) ?? 0, a));
  }
  const sum = (m: Map<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  const [width, height] = [sum(cols), sum(rows)];
  return { fill: width * height > 0 ? area / (width * height) : 0, width, height };
}

const SMALL_BELOW = (SIZE_RANGES.small[1] + SIZE_RANGES.medium[0]) / 2;
const LARGE_ABOVE = (SIZE_RANGES.medium[1] + SIZE_RANGES.large[0]) / 2;
const sizeOf = (r: number): SceneSize => (r < SMALL_BELOW ? 'small' : r > LARGE_ABOVE ? 'large' : 'medium');

function judgeComponent(
  im: RgbaImage,
  comp: number[],
  kind: SceneBackground,
  o: Required<ScenesJudgeOptions>,
): JudgedObject {
  const W = im.width;
  let [minX, maxX, minY, maxY, sx, sy] = [Infinity, -Infinity, Infinity, -Infinity, 0, 0];
  for (const p of comp) {
    const x = p % W;
    const y = (p - x) / W;
    [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
    sx += x;
    sy += y;
  }
  const ch = (c: number) => median(comp.map((p) => im.rgba[p * 4 + c]! / 255));
  const colour = nearestColour([ch(0), ch(1), ch(2)]);
  const h = maxY - minY + 1;
  const { fill, width, height } = coverageFill(im, comp, COLOURS[colour], kind);
  const centroidY = (sy / comp.length - minY + 0.5) / h;
  const [lo, hi] = o.circleFill;
  const shape: SceneShape =
    fill >= hi ? 'square' : fill >= lo ? 'circle' : centroidY >= o.triangleCentroid ? 'triangle' : 'diamond';
  const n = comp.length;
  const halfExtent = Math.max(width, height) / 2;
  return {
    colour,
    shape,
    size: sizeOf(halfExtent),
    halfExtent,
    pixels: n,
    cx: sx / n + 0.5,
    cy: sy / n + 0.5,
    fill,
    centroidY,
    indices: Uint32Array.from(comp),
  };
}

export function judgeScenesImage(im: RgbaImage, options: ScenesJudgeOptions = {}): SceneJudgement {
  const o = { ...SCENES_JUDGE_DEFAULTS, ...options };
  const { width: W, height: H } = im;
  let background: SceneBackground = 'white';
  let bestScore = Infinity;
  let bestDist: Float32Array = new Float32Array(0);
  for (const kind of SCENE_BACKGROUNDS) {
    const d = backgroundDistance(im, kind);
    let score = 0;
    for (const v of d) score += Math.min(v, 0.5);
    if (score < bestScore) [background, bestScore, bestDist] = [kind, score, d];
  }
  const raw = Uint8Array.from(bestDist, (v) => (v > o.foregroundThreshold ? 1 : 0));
  const foreground = fillHoles(raw, W, H);
  const objects = components(foreground, W)
    .filter((c) => c.length >= o.minObjectPixels)
    .map((c) => judgeComponent(im, c, background, o))
    .sort((a, b) => a.cx - b.cx);
  return { background, objects, foreground };
}
