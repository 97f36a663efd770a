import type { BlendPlan } from './planEdits.js';

/**
 * Sum of the maps of `tokens` for batch item `item`: [R*R] from maps [N, R*R, T].
 * (The maps are already averaged over heads and layers; sums over steps are fine because each
 * item's map is divided by its own maximum below.)
 */
function tokenMap(maps: Float32Array, item: number, cells: number, T: number, tokens: readonly number[]): Float32Array {
  const out = new Float32Array(cells);
  for (let c = 0; c < cells; c++) {
    let v = 0;
    for (const t of tokens) v += maps[(item * cells + c) * T + t]!;
    out[c] = v;
  }
  return out;
}

/** 3x3 max pool, stride 1, padding 1 (padding never wins, as torch pads with -inf). */
function maxPool3(map: Float32Array, R: number, C: number): Float32Array {
  const out = new Float32Array(map.length);
  for (let y = 0; y < R; y++) {
    for (let x = 0; x < C; x++) {
      let m = -Infinity;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < R && xx >= 0 && xx < C) m = Math.max(m, map[yy * C + xx]!);
        }
      }
      out[y * C + x] = m;
    }
  }
  return out;
}

/** Nearest upsampling to [h, w] (torch `interpolate` default), normalised by the max, thresholded. */
function threshold(map: Float32Array, R: number, C: number, h: number, w: number, k: number): Uint8Array {
  let max = 0;
  for (const v of map) if (v > max) max = v;
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    const sy = Math.floor((y * R) / h);
    for (let x = 0; x < w; x++) out[y * w + x] = map[sy * C + Math.floor((x * C) / w)]! / max > k ? 1 : 0;
  }
  return out;
}

/**
 * The local-blend mask of one edit (docs/algorithms.md section 4): source words' map OR the edit
 * words' map, each max-pooled, upsampled, max-normalised and thresholded at k; minus the subtract
 * words' mask (not pooled) when given. Returns [h*w] of 0/1.
 */
export function localBlendMask(
  maps: Float32Array,
  grid: readonly [number, number],
  T: number,
  edit: number,
  plan: BlendPlan,
  latent: readonly [number, number],
): Float32Array {
  const [R, C] = grid;
  const [h, w] = latent;
  const cells = R * C;
  const src = threshold(maxPool3(tokenMap(maps, 0, cells, T, plan.sourceTokens), R, C), R, C, h, w, plan.k);
  const tgt = threshold(maxPool3(tokenMap(maps, edit, cells, T, plan.targetTokens), R, C), R, C, h, w, plan.k);
  const sub =
    plan.subtractSource.length || plan.subtractTarget.length
      ? [
          threshold(tokenMap(maps, 0, cells, T, plan.subtractSource), R, C, h, w, plan.k),
          threshold(tokenMap(maps, edit, cells, T, plan.subtractTarget), R, C, h, w, plan.k),
        ]
      : undefined;
  const mask = new Float32Array(h * w);
  for (let i = 0; i < mask.length; i++) {
    let m = src[i]! | tgt[i]!;
    if (sub && sub[0]![i]! | sub[1]![i]!) m = 0;
    mask[i] = m;
  }
  return mask;
}

/** x_edit <- x_source + mask * (x_edit - x_source), for every channel of one edit item. */
export function applyBlend(latents: Float32Array, edit: number, mask: Float32Array, channels: number): void {
  const plane = mask.length;
  const item = channels * plane;
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < plane; i++) {
      const s = latents[c * plane + i]!;
      const o = edit * item + c * plane + i;
      latents[o] = s + mask[i]! * (latents[o]! - s);
    }
  }
}
