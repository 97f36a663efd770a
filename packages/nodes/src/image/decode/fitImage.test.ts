import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../ImageBatch.js';
import { fitImage, parseHexColor } from './fitImage.js';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const rgba = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgba.set(f(x, y), (y * w + x) * 4);
  return { width: w, height: h, rgba };
}
const px = (im: RgbaImage, x: number, y: number) => [
  ...im.rgba.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 4),
];

describe('fitImage', () => {
  // 8x4: left half black, right half white.
  const wide = image(8, 4, (x) => (x < 4 ? [0, 0, 0, 255] : [255, 255, 255, 255]));

  it('stretch keeps everything and distorts', () => {
    const out = fitImage(wide, 4, 4, 'stretch');
    expect(px(out, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(out, 3, 3)).toEqual([255, 255, 255, 255]);
  });

  it('center-crop covers the target and cuts both sides equally', () => {
    // 16x4 with four 4-pixel bands: crop to 4x4 keeps the middle 4 columns (bands 2 and 3 halves).
    const bands = image(16, 4, (x) => [x * 16, 0, 0, 255]);
    const out = fitImage(bands, 4, 4, 'center-crop');
    expect(out.width).toBe(4);
    expect(px(out, 0, 0)[0]).toBe(6 * 16);
    expect(px(out, 3, 0)[0]).toBe(9 * 16);
  });

  it('fit letterboxes with the background colour', () => {
    const out = fitImage(wide, 8, 8, 'fit', parseHexColor('#102030'));
    expect(px(out, 0, 0)).toEqual([16, 32, 48, 255]); // padding above
    expect(px(out, 0, 2)).toEqual([0, 0, 0, 255]); // picture rows 2..5
    expect(px(out, 7, 5)).toEqual([255, 255, 255, 255]);
    expect(px(out, 7, 7)).toEqual([16, 32, 48, 255]);
  });

  it('averages areas when shrinking (no aliasing) and composites alpha over the background', () => {
    const checker = image(8, 8, (x, y) => ((x + y) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255]));
    const out = fitImage(checker, 2, 2, 'stretch');
    for (const v of out.rgba.filter((_, i) => i % 4 !== 3)) expect(Math.abs(v - 128)).toBeLessThanOrEqual(1);
    const clear = image(8, 8, () => [0, 0, 0, 0]);
    expect(px(fitImage(clear, 8, 8, 'stretch', [10, 20, 30]), 3, 3)).toEqual([10, 20, 30, 255]);
  });

  it('enlarges smoothly and keeps a same-size image unchanged', () => {
    const up = fitImage(wide, 16, 8, 'stretch');
    expect(px(up, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(up, 15, 0)).toEqual([255, 255, 255, 255]);
    const v = px(up, 8, 0)[0]!;
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThan(255);
    expect(fitImage(wide, 8, 4, 'center-crop').rgba).toEqual(wide.rgba);
  });
});
