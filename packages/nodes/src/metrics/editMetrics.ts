import type { RgbaImage } from '../image/ImageBatch.js';
import { MetricInputError, meanAbsError, psnr, ssim } from './imageMetrics.js';
import { judgeShapeImage, type JudgeOptions, type ShapeJudgement } from './shapeClassifier.js';
import { parseShapesCaption, type CaptionLabels } from './shapesWorld.js';

/**
 * How well an edit of a tiny-shapes picture kept what it should and changed what it should:
 *
 * - `iou`: structure IoU of the source's and the edit's foreground masks (each judged against its
 *   own background): 1 = the shape stayed exactly where it was; both empty counts as 1;
 * - `success`: 1 when the edit shows every label the target prompt names (colour, shape, and the
 *   background if named), else 0; `colourOk` / `shapeOk` / `backgroundOk` per label, only for
 *   labels the target names;
 * - `backgroundPsnr`: PSNR (dB) over the pixels outside the union of both masks dilated by
 *   `dilate` pixels (what an edit should leave alone); +Infinity when identical there, NaN when
 *   nothing is left outside;
 * - `psnr`, `ssim`, `meanAbsError`: whole-image, from imageMetrics (the project's one implementation).
 */
export interface EditMetricsOptions {
  /** Pixels the mask union grows by before the background is compared (anti-aliased edges). Default 1. */
  readonly dilate?: number;
  readonly judge?: JudgeOptions;
}

export interface EditMeasurement {
  readonly values: {
    iou: number;
    success: number;
    colourOk?: number;
    shapeOk?: number;
    backgroundOk?: number;
    backgroundPsnr: number;
    /** Share of the picture the background PSNR covers. */
    backgroundFraction: number;
    psnr: number;
    ssim: number;
    meanAbsError: number;
  };
  readonly source: ShapeJudgement;
  readonly edit: ShapeJudgement;
  readonly target: CaptionLabels;
}

/** Intersection over union of two 0/1 masks; 1 when both are empty. */
export function maskIoU(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new MetricInputError(`mask sizes differ: ${a.length} vs ${b.length}`);
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] && b[i]) inter++;
    if (a[i] || b[i]) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/** Grows a 0/1 mask by `radius` pixels (square neighbourhood). */
export function dilateMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  if (radius <= 0) return mask.slice();
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
        for (let xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) out[yy * width + xx] = 1;
      }
    }
  }
  return out;
}

/** `mask` shrunk by `radius` pixels (Chebyshev): what dilating its complement leaves. */
export function erodeMask(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  return dilateMask(
    mask.map((v) => 1 - v),
    width,
    height,
    radius,
  ).map((v) => 1 - v);
}

/** The pixels of `im` where `keep` is 1, as a one-row image (so imageMetrics can compare just them). */
function gather(im: RgbaImage, keep: Uint8Array): RgbaImage {
  let n = 0;
  for (const k of keep) n += k ? 1 : 0;
  const rgba = new Uint8Array(n * 4);
  let o = 0;
  for (let p = 0; p < keep.length; p++) {
    if (!keep[p]) continue;
    rgba.set(im.rgba.subarray(p * 4, p * 4 + 4), o);
    o += 4;
  }
  return { width: n, height: 1, rgba };
}

/** PSNR over the pixels where `keep` is 1; NaN when there are none. */
export function maskedPsnr(a: RgbaImage, b: RgbaImage, keep: Uint8Array): number {
  if (keep.length !== a.width * a.height)
    throw new MetricInputError(`mask has ${keep.length} pixels, image ${a.width * a.height}`);
  const ga = gather(a, keep);
  if (ga.width === 0) return Number.NaN;
  return psnr(ga, gather(b, keep));
}

export function measureEdit(
  source: RgbaImage,
  edit: RgbaImage,
  target: string | CaptionLabels,
  options: EditMetricsOptions = {},
): EditMeasurement {
  if (source.width !== edit.width || source.height !== edit.height) {
    throw new MetricInputError(`image sizes differ: ${source.width}x${source.height} vs ${edit.width}x${edit.height}`);
  }
  const labels = typeof target === 'string' ? parseShapesCaption(target) : target;
  const js = judgeShapeImage(source, options.judge);
  const je = judgeShapeImage(edit, options.judge);
  const union = js.mask.map((v, i) => v | je.mask[i]!);
  const outside = dilateMask(union, source.width, source.height, options.dilate ?? 1).map((v) => 1 - v);
  let outsideCount = 0;
  for (const v of outside) outsideCount += v;

  const checks: { colourOk?: number; shapeOk?: number; backgroundOk?: number } = {};
  if (labels.colour) checks.colourOk = je.colour === labels.colour ? 1 : 0;
  if (labels.shape) checks.shapeOk = je.shape === labels.shape ? 1 : 0;
  if (labels.background) checks.backgroundOk = je.background === labels.background ? 1 : 0;
  const named = Object.values(checks);
  // A target that names nothing of the world cannot be recognised: not a success.
  const success = named.length > 0 && named.every((v) => v === 1) ? 1 : 0;
  return {
    values: {
      iou: maskIoU(js.mask, je.mask),
      success,
      ...checks,
      backgroundPsnr: maskedPsnr(source, edit, outside),
      backgroundFraction: outsideCount / outside.length,
      psnr: psnr(source, edit),
      ssim: ssim(source, edit),
      meanAbsError: meanAbsError(source, edit),
    },
    source: js,
    edit: je,
    target: labels,
  };
}
