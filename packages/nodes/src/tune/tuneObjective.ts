import { z } from 'zod';

/**
 * The objective a schedule search maximises, from the edit metrics of one run:
 *
 *   J = (w_s * success + w_i * IoU + w_b * P(background PSNR) + w_u * P(untouched PSNR)) / (sum of the weights used)
 *
 * - success: 1 when the judge recognises the target prompt's labels in the edit, else 0;
 * - IoU: structure IoU of the source and edit foregrounds (tiny-shapes `iou`, tiny-scenes `structureIoU`);
 * - P(x) = clamp((x - 20 dB) / 30 dB, 0, 1): PSNR of what the edit should leave alone mapped to
 *   [0, 1] (20 dB or less: 0; 50 dB or more, and identical pixels (+Infinity): 1; NaN: 0);
 * - untouched PSNR: the lowest PSNR over objects the prompt did not change (tiny-scenes
 *   `untouchedPsnr`); its weight counts only when the run measured it; likewise the background
 *   term, which a background swap does not measure (the background is what it changes).
 * Defaults 3 / 1 / 1 / 1: a failed edit never scores above a successful one (at most 2/5 against
 * at least 3/5 on tiny-shapes; 1/2 against 1/2 with the untouched term), so success comes first
 * and structure and preservation rank the successes. J is in [0, 1].
 */
export const ObjectiveWeightsSchema = z
  .object({
    success: z.number().min(0).max(10).default(3),
    iou: z.number().min(0).max(10).default(1),
    background: z.number().min(0).max(10).default(1),
    untouched: z.number().min(0).max(10).default(1),
  })
  .strict()
  .refine((w) => w.success + w.iou + w.background + w.untouched > 0, { message: 'at least one weight must be > 0' });
export type ObjectiveWeights = z.infer<typeof ObjectiveWeightsSchema>;

export const DEFAULT_OBJECTIVE_WEIGHTS: ObjectiveWeights = { success: 3, iou: 1, background: 1, untouched: 1 };

export const PSNR_FLOOR_DB = 20;
export const PSNR_SPAN_DB = 30;

/** PSNR mapped to [0, 1]: 20 dB -> 0, 50 dB and more (identical: +Infinity) -> 1, NaN -> 0. */
export function psnrScore(db: number): number {
  if (Number.isNaN(db)) return 0;
  return Math.min(1, Math.max(0, (db - PSNR_FLOOR_DB) / PSNR_SPAN_DB));
}

/** The figures J is made of, read from one run's metric values (names without their node prefix). */
export interface ObjectiveInputs {
  success: number;
  iou: number;
  /** Absent when the edit changes the background (nothing there to keep). */
  backgroundPsnr?: number;
  untouchedPsnr?: number;
}

/**
 * Picks J's inputs out of a metrics record whose keys may carry a node prefix
 * (`metrics.success`, `metrics.iou`, ...); undefined when success or IoU is missing.
 */
export function objectiveInputs(metrics: Readonly<Record<string, unknown>>): ObjectiveInputs | undefined {
  const find = (...names: string[]): number | undefined => {
    for (const [k, v] of Object.entries(metrics)) {
      const short = k.slice(k.lastIndexOf('.') + 1);
      if (names.includes(short)) {
        if (typeof v === 'number') return v;
        if (v === null) return Number.NaN; // NaN travels as null/empty
      }
    }
    return undefined;
  };
  const success = find('success', 'editedRight');
  const iou = find('iou', 'structureIoU');
  if (success === undefined || iou === undefined) return undefined;
  // The Edit metrics node names it untouchedPsnr; keptPsnrMin is measureScenesEdit's own name.
  const untouchedPsnr = find('untouchedPsnr', 'keptPsnrMin');
  const backgroundPsnr = find('backgroundPsnr');
  return {
    success,
    iou,
    ...(backgroundPsnr !== undefined ? { backgroundPsnr } : {}),
    ...(untouchedPsnr !== undefined ? { untouchedPsnr } : {}),
  };
}

export function objective(m: ObjectiveInputs, w: ObjectiveWeights = DEFAULT_OBJECTIVE_WEIGHTS): number {
  let sum = w.success * (m.success > 0 ? 1 : 0) + w.iou * (Number.isNaN(m.iou) ? 0 : m.iou);
  let weight = w.success + w.iou;
  if (m.backgroundPsnr !== undefined) {
    sum += w.background * psnrScore(m.backgroundPsnr);
    weight += w.background;
  }
  if (m.untouchedPsnr !== undefined) {
    sum += w.untouched * psnrScore(m.untouchedPsnr);
    weight += w.untouched;
  }
  return weight > 0 ? sum / weight : 0;
}
