import type { ImageBatch, LatentBatch, RgbaImage } from '../image/ImageBatch.js';

/**
 * Reconstruction metrics, pure functions shared by the Cycle node, the inversion tests and the study's
 * sweeps (one implementation, so every figure is computed the same way).
 *
 * Inputs:
 * - images (`RgbaImage` or an `ImageBatch`): 8-bit values, alpha ignored, compared on R, G and B;
 *   a batch is compared item by item (same count and sizes) and pooled (PSNR/MAE over all pixels,
 *   SSIM averaged over items);
 * - latents (`Float32Array` or a `LatentBatch`): every element compared.
 *
 * SSIM follows Wang et al. 2004 as most tools compute it: an 11x11 Gaussian window (sigma 1.5),
 * K1 = 0.01, K2 = 0.03, dynamic range L = 255, "valid" windows only (no padding), computed on
 * luminance Y = 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601) in 0..255 and averaged over the windows.
 * Images smaller than the window use a window shrunk to the image (still Gaussian, sigma 1.5).
 */
export type MetricInput = RgbaImage | ImageBatch | Float32Array | LatentBatch;

export interface PsnrOptions {
  /** Peak signal value. Default 255 for images; for latents, the max |value| of `a` (the reference). */
  readonly peak?: number;
}

/** Thrown when two inputs cannot be compared (kinds, sizes or counts differ). */
export class MetricInputError extends Error {
  readonly code = 'METRIC_INPUT_MISMATCH';
  constructor(message: string) {
    super(message);
    this.name = 'MetricInputError';
  }
}

interface Planes {
  readonly kind: 'image' | 'latent';
  /** Values to compare, flattened (images: RGB only). */
  readonly values: Float32Array;
}

function isImage(x: MetricInput): x is RgbaImage {
  return !(x instanceof Float32Array) && 'rgba' in x;
}
function isBatch(x: MetricInput): x is ImageBatch {
  return !(x instanceof Float32Array) && 'images' in x;
}
function isLatentBatch(x: MetricInput): x is LatentBatch {
  return !(x instanceof Float32Array) && 'data' in x && 'dims' in x;
}

function imagesOf(x: MetricInput): readonly RgbaImage[] | undefined {
  if (isImage(x)) return [x];
  if (isBatch(x)) return x.images;
  return undefined;
}

function rgbValues(images: readonly RgbaImage[]): Float32Array {
  let total = 0;
  for (const im of images) total += im.width * im.height * 3;
  const out = new Float32Array(total);
  let o = 0;
  for (const im of images) {
    const n = im.width * im.height;
    for (let p = 0; p < n; p++) {
      out[o++] = im.rgba[p * 4]!;
      out[o++] = im.rgba[p * 4 + 1]!;
      out[o++] = im.rgba[p * 4 + 2]!;
    }
  }
  return out;
}

function checkSameImages(a: readonly RgbaImage[], b: readonly RgbaImage[]): void {
  if (a.length !== b.length) throw new MetricInputError(`image counts differ: ${a.length} vs ${b.length}`);
  a.forEach((im, i) => {
    const other = b[i]!;
    if (im.width !== other.width || im.height !== other.height) {
      throw new MetricInputError(`image ${i} sizes differ: ${im.width}x${im.height} vs ${other.width}x${other.height}`);
    }
  });
}

function planes(a: MetricInput, b: MetricInput): [Planes, Planes] {
  const ia = imagesOf(a);
  const ib = imagesOf(b);
  if (ia && ib) {
    checkSameImages(ia, ib);
    return [
      { kind: 'image', values: rgbValues(ia) },
      { kind: 'image', values: rgbValues(ib) },
    ];
  }
  if (ia || ib) throw new MetricInputError('cannot compare an image with a latent');
  const la = isLatentBatch(a) ? a.data : (a as Float32Array);
  const lb = isLatentBatch(b) ? b.data : (b as Float32Array);
  if (isLatentBatch(a) && isLatentBatch(b) && a.dims.join('x') !== b.dims.join('x')) {
    throw new MetricInputError(`latent dims differ: ${a.dims.join('x')} vs ${b.dims.join('x')}`);
  }
  if (la.length !== lb.length) throw new MetricInputError(`lengths differ: ${la.length} vs ${lb.length}`);
  return [
    { kind: 'latent', values: la },
    { kind: 'latent', values: lb },
  ];
}

/** Mean absolute difference (images: in 0..255 units over R, G, B). */
export function meanAbsError(a: MetricInput, b: MetricInput): number {
  const [pa, pb] = planes(a, b);
  const n = pa.values.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs(pa.values[i]! - pb.values[i]!);
  return sum / n;
}

/** Mean squared difference (images: in 0..255 units over R, G, B). */
export function meanSquaredError(a: MetricInput, b: MetricInput): number {
  const [pa, pb] = planes(a, b);
  const n = pa.values.length;
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = pa.values[i]! - pb.values[i]!;
    sum += d * d;
  }
  return sum / n;
}

/**
 * Peak signal-to-noise ratio in dB, 10 log10(peak^2 / MSE). Identical inputs give +Infinity
 * (JSON-encodes as null, so callers that persist it should cap or label it).
 */
export function psnr(a: MetricInput, b: MetricInput, opts: PsnrOptions = {}): number {
  const [pa, pb] = planes(a, b);
  let peak = opts.peak;
  if (peak === undefined) {
    if (pa.kind === 'image') peak = 255;
    else {
      peak = 0;
      for (const v of pa.values) peak = Math.max(peak, Math.abs(v));
    }
  }
  if (!(peak > 0)) throw new MetricInputError(`PSNR needs a positive peak (got ${peak})`);
  let sum = 0;
  const n = pa.values.length;
  for (let i = 0; i < n; i++) {
    const d = pa.values[i]! - pb.values[i]!;
    sum += d * d;
  }
  const mse = n === 0 ? 0 : sum / n;
  return mse === 0 ? Number.POSITIVE_INFINITY : 10 * Math.log10((peak * peak) / mse);
}

function luminance(im: RgbaImage): Float64Array {
  const n = im.width * im.height;
  const y = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    y[p] = 0.299 * im.rgba[p * 4]! + 0.587 * im.rgba[p * 4 + 1]! + 0.114 * im.rgba[p * 4 + 2]!;
  }
  return y;
}

function gaussianKernel(size: number, sigma: number): Float64Array {
  const k = new Float64Array(size);
  const c = (size - 1) / 2;
  let s = 0;
  for (let i = 0; i < size; i++) {
    k[i] = Math.exp(-((i - c) ** 2) / (2 * sigma * sigma));
    s += k[i]!;
  }
  for (let i = 0; i < size; i++) k[i]! /= s;
  return k;
}

/** Separable "valid" filtering of a w x h plane with a 1-D kernel; result (w-k+1) x (h-k+1). */
function filterValid(src: Float64Array, w: number, h: number, k: Float64Array): Float64Array {
  const ks = k.length;
  const ow = w - ks + 1;
  const oh = h - ks + 1;
  const tmp = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < ks; i++) s += k[i]! * src[y * w + x + i]!;
      tmp[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let i = 0; i < ks; i++) s += k[i]! * tmp[(y + i) * ow + x]!;
      out[y * ow + x] = s;
    }
  }
  return out;
}

function ssimImage(a: RgbaImage, b: RgbaImage): number {
  const w = a.width;
  const h = a.height;
  if (w === 0 || h === 0) return 1;
  const size = Math.min(11, w, h);
  const k = gaussianKernel(size, 1.5);
  const x = luminance(a);
  const y = luminance(b);
  const n = w * h;
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = x[i]! * x[i]!;
    yy[i] = y[i]! * y[i]!;
    xy[i] = x[i]! * y[i]!;
  }
  const mx = filterValid(x, w, h, k);
  const my = filterValid(y, w, h, k);
  const sxx = filterValid(xx, w, h, k);
  const syy = filterValid(yy, w, h, k);
  const sxy = filterValid(xy, w, h, k);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  for (let i = 0; i < mx.length; i++) {
    const ux = mx[i]!;
    const uy = my[i]!;
    const vx = sxx[i]! - ux * ux;
    const vy = syy[i]! - uy * uy;
    const cxy = sxy[i]! - ux * uy;
    total += ((2 * ux * uy + c1) * (2 * cxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
  }
  return total / mx.length;
}

/** Structural similarity of two images (or batches, averaged over items) on BT.601 luminance; 1 = identical. */
export function ssim(a: RgbaImage | ImageBatch, b: RgbaImage | ImageBatch): number {
  const ia = imagesOf(a);
  const ib = imagesOf(b);
  if (!ia || !ib) throw new MetricInputError('SSIM compares images (RgbaImage or ImageBatch), not latents');
  checkSameImages(ia, ib);
  if (ia.length === 0) return 1;
  let sum = 0;
  for (let i = 0; i < ia.length; i++) sum += ssimImage(ia[i]!, ib[i]!);
  return sum / ia.length;
}
