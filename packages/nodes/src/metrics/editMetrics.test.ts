import { describe, expect, it } from 'vitest';
import { dilateMask, maskedPsnr, maskIoU, measureEdit } from './editMetrics.js';
import { renderScene, type ShapeScene } from './shapesWorld.js';

const base: ShapeScene = { shape: 'circle', colour: 'red', background: 'white', cx: 14, cy: 15, r: 8 };
const img = (s: Partial<ShapeScene>) => renderScene({ ...base, ...s }).image;

describe('edit metrics', () => {
  it('identical images: IoU 1, infinite PSNR, SSIM 1, but no success when the target asks for another colour', () => {
    const m = measureEdit(img({}), img({}), 'a blue circle');
    expect(m.values).toMatchObject({
      iou: 1,
      psnr: Infinity,
      backgroundPsnr: Infinity,
      ssim: 1,
      meanAbsError: 0,
      success: 0,
      colourOk: 0,
      shapeOk: 1,
    });
    expect(m.values.backgroundFraction).toBeGreaterThan(0.5);
  });

  it('a recoloured shape in the same place: IoU 1, success, background untouched', () => {
    const m = measureEdit(img({}), img({ colour: 'blue' }), 'a blue circle on a white background');
    expect(m.values).toMatchObject({
      iou: 1,
      success: 1,
      colourOk: 1,
      shapeOk: 1,
      backgroundOk: 1,
      backgroundPsnr: Infinity,
    });
    expect(m.values.psnr).toBeLessThan(20);
  });

  it('a moved shape: IoU < 1 and the background outside both masks still equal', () => {
    const m = measureEdit(img({}), img({ cx: 19 }), 'a red circle');
    expect(m.values.iou).toBeGreaterThan(0.2);
    expect(m.values.iou).toBeLessThan(0.8);
    expect(m.values.success).toBe(1);
    expect(m.values.backgroundPsnr).toBe(Infinity);
  });

  it('a shape swap is recognised and lowers IoU; a changed background lowers background PSNR', () => {
    const swap = measureEdit(img({}), img({ shape: 'triangle' }), 'a red triangle');
    expect(swap.values).toMatchObject({ success: 1, shapeOk: 1 });
    expect(swap.values.iou).toBeLessThan(0.8);
    const bg = measureEdit(img({}), img({ background: 'black' }), 'a red circle');
    expect(bg.values.backgroundPsnr).toBeLessThan(10);
  });

  it('noise in the background only: background PSNR equals the PSNR over those pixels', () => {
    const a = img({});
    const rgba = a.rgba.slice();
    rgba[0] = rgba[0]! - 10; // pixel (0,0): background, far from the circle
    const m = measureEdit(a, { ...a, rgba }, 'a red circle');
    const n = Math.round(m.values.backgroundFraction * 32 * 32);
    expect(m.values.backgroundPsnr).toBeCloseTo(10 * Math.log10((255 * 255) / (100 / (3 * n))), 6);
    expect(m.values.iou).toBe(1);
  });

  it('mask helpers: IoU of disjoint and empty masks, dilation, masked PSNR with nothing left', () => {
    expect(maskIoU(Uint8Array.from([1, 0]), Uint8Array.from([0, 1]))).toBe(0);
    expect(maskIoU(new Uint8Array(4), new Uint8Array(4))).toBe(1);
    const d = dilateMask(Uint8Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]), 3, 3, 1);
    expect(Array.from(d)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const a = img({});
    expect(maskedPsnr(a, a, new Uint8Array(32 * 32))).toBeNaN();
    expect(() => measureEdit(a, renderScene(base, 16).image, 'x')).toThrow(/sizes differ/);
  });
});
