import type { RgbaImage } from '../image/ImageBatch.js';
import { dilateMask, erodeMask, maskedPsnr, maskIoU } from '../metrics/editMetrics.js';
import { MetricInputError, psnr } from '../metrics/imageMetrics.js';
import { judgeShapeImage, type ShapeJudgement } from '../metrics/shapeClassifier.js';
import { parseShapesCaption, type CaptionLabels } from '../metrics/shapesWorld.js';

/** Which part of a tiny-shapes picture a turn should have left alone (see `turnDrift`). */
export type UntouchedRegion = 'background' | 'shape' | 'none';

/**
 * Drift of one turn of an edit chain on a tiny-shapes picture (one shape on a background):
 *
 * - `iou`: structure IoU of the original's and this turn's foreground masks (1 = the shape has not
 *   moved or grown; a shape swap lowers it by design, so read it with `stepIou`);
 * - `stepIou`: the same against the previous turn (how much this turn alone moved the structure);
 * - `backgroundPsnr`: PSNR (dB) against the ORIGINAL outside the union of both foreground masks
 *   dilated by `dilate` px: drift of the background accumulated over every turn so far (low by
 *   design once a turn has changed the background);
 * - `shapePsnr`: PSNR against the PREVIOUS turn inside the intersection of both masks, eroded by
 *   `dilate` px: how much this turn changed the shape's pixels (what a background-only turn should
 *   not do); NaN when the two shapes no longer overlap;
 * - `untouchedPsnr`: the figure for the region no turn so far was asked to change, against the
 *   last picture that region was set in: the background against the original while no turn has
 *   changed the background; the shape against the previous turn when this turn changed only the
 *   background; NaN otherwise (nothing was left alone). `untouched` names the region;
 * - `success`: 1 when the judge sees every label this turn's target prompt names (so turn 2 also
 *   checks that turn 1's colour survived), else 0;
 * - `psnr`: whole-picture PSNR against the original.
 */
export interface TurnDrift {
  readonly values: {
    iou: number;
    stepIou: number;
    backgroundPsnr: number;
    shapePsnr: number;
    untouchedPsnr: number;
    success: number;
    psnr: number;
  };
  readonly untouched: UntouchedRegion;
  readonly judgement: ShapeJudgement;
}

/** The labels a turn changes: those its source and target prompts both name and name differently, or only the target names. */
export function changedLabels(sourceText: string, targetText: string): (keyof CaptionLabels)[] {
  const a = parseShapesCaption(sourceText);
  const b = parseShapesCaption(targetText);
  return (['colour', 'shape', 'background', 'size'] as const).filter((k) => b[k] !== undefined && a[k] !== b[k]);
}

/** The region to hold still at turn `k`, from the labels every turn up to and including it changed. */
export function untouchedRegion(changedPerTurn: readonly (keyof CaptionLabels)[][], k: number): UntouchedRegion {
  const backgroundSoFar = changedPerTurn.slice(0, k + 1).some((c) => c.includes('background'));
  if (!backgroundSoFar) return 'background';
  const now = changedPerTurn[k]!;
  return now.length > 0 && now.every((l) => l === 'background') ? 'shape' : 'none';
}

export interface TurnDriftInput {
  readonly original: RgbaImage;
  readonly previous: RgbaImage;
  readonly image: RgbaImage;
  /** This turn's target prompt (what success checks). */
  readonly target: string;
  readonly untouched: UntouchedRegion;
  /** Pixels masks grow (background) or shrink (shape) by, for anti-aliased edges. Default 1. */
  readonly dilate?: number;
  /** Judgements already made of `original` / `previous` (each picture is judged once per chain). */
  readonly originalJudgement?: ShapeJudgement;
  readonly previousJudgement?: ShapeJudgement;
}

export function turnDrift(o: TurnDriftInput): TurnDrift {
  const { original, previous, image } = o;
  for (const [name, im] of [
    ['previous', previous],
    ['image', image],
  ] as const) {
    if (im.width !== original.width || im.height !== original.height)
      throw new MetricInputError(
        `${name} is ${im.width}x${im.height}, the original ${original.width}x${original.height}`,
      );
  }
  const W = original.width;
  const H = original.height;
  const r = o.dilate ?? 1;
  const jo = o.originalJudgement ?? judgeShapeImage(original);
  const jp = o.previousJudgement ?? judgeShapeImage(previous);
  const ji = judgeShapeImage(image);
  const union = jo.mask.map((v, i) => v | ji.mask[i]!);
  const outside = dilateMask(union, W, H, r).map((v) => 1 - v);
  const inside = erodeMask(
    jp.mask.map((v, i) => v & ji.mask[i]!),
    W,
    H,
    r,
  );
  const backgroundPsnr = maskedPsnr(original, image, outside);
  const shapePsnr = maskedPsnr(previous, image, inside);
  const labels = parseShapesCaption(o.target);
  const checks = [
    labels.colour === undefined || ji.colour === labels.colour,
    labels.shape === undefined || ji.shape === labels.shape,
    labels.background === undefined || ji.background === labels.background,
  ];
  const named = labels.colour !== undefined || labels.shape !== undefined || labels.background !== undefined;
  return {
    values: {
      iou: maskIoU(jo.mask, ji.mask),
      stepIou: maskIoU(jp.mask, ji.mask),
      backgroundPsnr,
      shapePsnr,
      untouchedPsnr: o.untouched === 'background' ? backgroundPsnr : o.untouched === 'shape' ? shapePsnr : Number.NaN,
      success: named && checks.every(Boolean) ? 1 : 0,
      psnr: psnr(original, image),
    },
    untouched: o.untouched,
    judgement: ji,
  };
}
