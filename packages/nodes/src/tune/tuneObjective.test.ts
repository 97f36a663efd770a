import { describe, expect, it } from 'vitest';
import { objective, objectiveInputs, ObjectiveWeightsSchema, psnrScore } from './tuneObjective.js';

describe('tune objective', () => {
  it('maps PSNR onto [0, 1] with identical pixels at 1 and NaN at 0', () => {
    expect(psnrScore(20)).toBe(0);
    expect(psnrScore(35)).toBeCloseTo(0.5);
    expect(psnrScore(Infinity)).toBe(1);
    expect(psnrScore(Number.NaN)).toBe(0);
    expect(psnrScore(5)).toBe(0);
  });

  it('ranks any successful edit at least as high as an undone one', () => {
    const undone = objective({ success: 0, iou: 1, backgroundPsnr: Infinity });
    const weakEdit = objective({ success: 1, iou: 0, backgroundPsnr: 10 });
    expect(undone).toBeCloseTo(2 / 5);
    expect(weakEdit).toBeCloseTo(3 / 5);
    expect(objective({ success: 1, iou: 0.8, backgroundPsnr: 44 })).toBeCloseTo((3 + 0.8 + 0.8) / 5);
  });

  it('counts the untouched-object term only when measured', () => {
    const w = ObjectiveWeightsSchema.parse({});
    expect(objective({ success: 1, iou: 1, backgroundPsnr: 50, untouchedPsnr: 20 }, w)).toBeCloseTo(5 / 6);
    expect(objective({ success: 1, iou: 1, backgroundPsnr: 50 }, w)).toBe(1);
    // A background swap measures no background to keep: that term drops out, it does not score 0.
    expect(objective({ success: 1, iou: 1, untouchedPsnr: 35 }, w)).toBeCloseTo((3 + 1 + 0.5) / 5);
  });

  it('reads the figures from prefixed metric names of either world', () => {
    expect(objectiveInputs({ 'metrics.success': 1, 'metrics.iou': 0.5, 'metrics.backgroundPsnr': null })).toEqual({
      success: 1,
      iou: 0.5,
      backgroundPsnr: Number.NaN,
    });
    expect(
      objectiveInputs({ 'm.editedRight': 0, 'm.structureIoU': 0.7, 'm.backgroundPsnr': 30, 'm.keptPsnrMin': 40 }),
    ).toEqual({ success: 0, iou: 0.7, backgroundPsnr: 30, untouchedPsnr: 40 });
    // The Edit metrics node's names on tiny-scenes; no backgroundPsnr when the edit swapped it.
    expect(objectiveInputs({ 'metrics.success': 1, 'metrics.iou': 0.8, 'metrics.untouchedPsnr': 28 })).toEqual({
      success: 1,
      iou: 0.8,
      untouchedPsnr: 28,
    });
    expect(objectiveInputs({ 'metrics.psnr': 30 })).toBeUndefined();
  });

  it('refuses all-zero weights', () => {
    expect(ObjectiveWeightsSchema.safeParse({ success: 0, iou: 0, background: 0, untouched: 0 }).success).toBe(false);
  });
});
