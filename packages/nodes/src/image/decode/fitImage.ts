import type { RgbaImage } from '../ImageBatch.js';

/**
 * How a picture is brought to the model's size:
 * - `center-crop`: scale so the picture covers the target, cut the overflow equally on both sides
 *   (nothing is distorted; edges of a non-square picture are lost);
 * - `fit`: scale so the whole picture fits, pad the rest with the background colour (letterbox);
 * - `stretch`: scale each axis independently (nothing lost, shapes distorted).
 */
export const FIT_POLICIES = ['center-crop', 'fit', 'stretch'] as const;
export type FitPolicy = (typeof FIT_POLICIES)[number];

type Rgb = readonly [number, number, number];

/** '#rrggbb' to [r, g, b]. */
export function parseHexColor(hex: string): Rgb {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`colour "${hex}" is not #rrggbb`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** Per output index, the source indices and weights: area average when shrinking, bilinear when enlarging. */
function axisWeights(
  start: number,
  extent: number,
  srcSize: number,
  outSize: number,
): { idx: number[]; w: number[] }[] {
  const s = extent / outSize;
  const out: { idx: number[]; w: number[] }[] = [];
  for (let i = 0; i < outSize; i++) {
    const idx: number[] = [];
    const w: number[] = [];
    if (s > 1) {
      const a = start + i * s;
      const b = a + s;
      for (let k = Math.floor(a); k < Math.ceil(b); k++) {
        const cover = Math.min(b, k + 1) - Math.max(a, k);
        if (cover > 1e-9) {
          idx.push(Math.min(Math.max(k, 0), srcSize - 1));
          w.push(cover / s);
        }
      }
    } else {
      const c = Math.min(Math.max(start + (i + 0.5) * s - 0.5, 0), srcSize - 1);
      const k = Math.floor(c);
      const f = c - k;
      idx.push(k, Math.min(k + 1, srcSize - 1));
      w.push(1 - f, f);
    }
    out.push({ idx, w });
  }
  return out;
}

/** Resamples the region [x0, x0 + cw) x [y0, y0 + ch) of an RGB float image to ow x oh. */
function resampleRegion(
  src: Float32Array,
  sw: number,
  sh: number,
  region: [number, number, number, number],
  ow: number,
  oh: number,
): Float32Array {
  const [x0, y0, cw, ch] = region;
  const wx = axisWeights(x0, cw, sw, ow);
  const wy = axisWeights(y0, ch, sh, oh);
  const tmp = new Float32Array(ow * sh * 3);
  for (let y = 0; y < sh; y++) {
    for (let x = 0; x < ow; x++) {
      const { idx, w } = wx[x]!;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let k = 0; k < idx.length; k++) v += w[k]! * src[(y * sw + idx[k]!) * 3 + c]!;
        tmp[(y * ow + x) * 3 + c] = v;
      }
    }
  }
  const out = new Float32Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    const { idx, w } = wy[y]!;
    for (let x = 0; x < ow; x++) {
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let k = 0; k < idx.length; k++) v += w[k]! * tmp[(idx[k]! * ow + x) * 3 + c]!;
        out[(y * ow + x) * 3 + c] = v;
      }
    }
  }
  return out;
}

/**
 * Brings an image to width x height under a policy. Transparent pixels are composited over the
 * background colour first (a model sees no alpha); the result is opaque.
 */
export function fitImage(
  image: RgbaImage,
  width: number,
  height: number,
  policy: FitPolicy,
  background: Rgb = [255, 255, 255],
): RgbaImage {
  const { width: sw, height: sh, rgba } = image;
  const rgb = new Float32Array(sw * sh * 3);
  for (let p = 0; p < sw * sh; p++) {
    const a = rgba[p * 4 + 3]! / 255;
    for (let c = 0; c < 3; c++) rgb[p * 3 + c] = rgba[p * 4 + c]! * a + background[c]! * (1 - a);
  }
  let region: [number, number, number, number] = [0, 0, sw, sh];
  let [ow, oh, ox, oy] = [width, height, 0, 0];
  if (policy === 'center-crop') {
    const scale = Math.max(width / sw, height / sh);
    const cw = width / scale;
    const ch = height / scale;
    region = [(sw - cw) / 2, (sh - ch) / 2, cw, ch];
  } else if (policy === 'fit') {
    const scale = Math.min(width / sw, height / sh);
    ow = Math.max(1, Math.min(width, Math.round(sw * scale)));
    oh = Math.max(1, Math.min(height, Math.round(sh * scale)));
    ox = Math.floor((width - ow) / 2);
    oy = Math.floor((height - oh) / 2);
  }
  const scaled =
    sw === ow && sh === oh && region[2] === sw && region[3] === sh ? rgb : resampleRegion(rgb, sw, sh, region, ow, oh);
  const out = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    out.set(background, p * 4);
    out[p * 4 + 3] = 255;
  }
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      const o = ((y + oy) * width + x + ox) * 4;
      for (let c = 0; c < 3; c++) out[o + c] = Math.min(255, Math.max(0, Math.round(scaled[(y * ow + x) * 3 + c]!)));
    }
  }
  return { width, height, rgba: out };
}
