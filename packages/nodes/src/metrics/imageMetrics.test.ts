import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../image/ImageBatch.js';
import { MetricInputError, meanAbsError, meanSquaredError, psnr, ssim } from './imageMetrics.js';

function image(width: number, height: number, f: (x: number, y: number, c: number) => number): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) rgba[(y * width + x) * 4 + c] = f(x, y, c);
      rgba[(y * width + x) * 4 + 3] = 255;
    }
  }
  return { width, height, rgba };
}

const pattern = image(32, 24, (x, y, c) => (x * 7 + y * 13 + c * 50) % 256);

describe('psnr / meanAbsError on images', () => {
  it('identical images: infinite PSNR, zero error', () => {
    expect(psnr(pattern, pattern)).toBe(Number.POSITIVE_INFINITY);
    expect(meanAbsError(pattern, pattern)).toBe(0);
  });

  it('a uniform offset of 10 gives MSE 100 and PSNR 10 log10(255^2/100)', () => {
    const a = image(16, 16, () => 100);
    const b = image(16, 16, () => 110);
    expect(meanSquaredError(a, b)).toBe(100);
    expect(meanAbsError(a, b)).toBe(10);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10((255 * 255) / 100), 10);
  });

  it('ignores alpha', () => {
    const b = { ...pattern, rgba: pattern.rgba.map((v, i) => (i % 4 === 3 ? 0 : v)) };
    expect(meanAbsError(pattern, b)).toBe(0);
  });

  it('pools a batch over all items', () => {
    const a = image(8, 8, () => 0);
    const b = image(8, 8, () => 20);
    expect(meanAbsError({ images: [a, a] }, { images: [a, b] })).toBe(10);
  });

  it('refuses mismatched sizes, counts and kinds', () => {
    expect(() =>
      psnr(
        pattern,
        image(8, 8, () => 0),
      ),
    ).toThrow(MetricInputError);
    expect(() => meanAbsError({ images: [pattern] }, { images: [] })).toThrow(/counts differ/);
    expect(() => psnr(pattern, new Float32Array(4))).toThrow(/image with a latent/);
  });
});

describe('psnr / meanAbsError on latents', () => {
  it('compares every element; PSNR peak defaults to the max |a|', () => {
    const a = new Float32Array([1, -2, 3, -4]);
    const b = new Float32Array([1, -2, 3, -3]);
    expect(meanAbsError(a, b)).toBeCloseTo(0.25, 7);
    expect(psnr(a, b)).toBeCloseTo(10 * Math.log10(16 / 0.25), 6);
    expect(psnr(a, b, { peak: 1 })).toBeCloseTo(10 * Math.log10(1 / 0.25), 6);
  });

  it('accepts LatentBatch and checks dims', () => {
    const a = { data: new Float32Array(8), dims: [1, 2, 2, 2] as const, packId: 'p' };
    const b = { data: new Float32Array(8).fill(0.5), dims: [1, 2, 2, 2] as const, packId: 'p' };
    expect(meanAbsError(a, b)).toBe(0.5);
    expect(() => meanAbsError(a, { ...b, dims: [1, 2, 4, 1] as const })).toThrow(/dims differ/);
    expect(() => meanAbsError(new Float32Array(3), new Float32Array(4))).toThrow(/lengths differ/);
  });
});

describe('ssim', () => {
  it('is 1 for identical images', () => {
    expect(ssim(pattern, pattern)).toBeCloseTo(1, 12);
  });

  it('matches the closed form for flat images (only the luminance term differs)', () => {
    const a = image(16, 16, () => 100);
    const b = image(16, 16, () => 110);
    const c1 = (0.01 * 255) ** 2;
    // Flat windows: variances and covariance are 0, so SSIM = (2 mx my + C1) / (mx^2 + my^2 + C1).
    const expected = (2 * 100 * 110 + c1) / (100 * 100 + 110 * 110 + c1);
    expect(ssim(a, b)).toBeCloseTo(expected, 6);
  });

  it('falls as noise grows and penalises structure more than a small brightness shift', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5;
    const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
    const noisy = (amp: number): RgbaImage => {
      const rgba = pattern.rgba.map((v, i) => (i % 4 === 3 ? v : clamp(v + amp * rnd())));
      return { ...pattern, rgba };
    };
    const s10 = ssim(pattern, noisy(10));
    const s60 = ssim(pattern, noisy(60));
    expect(s10).toBeLessThan(1);
    expect(s60).toBeLessThan(s10);
    const shifted = { ...pattern, rgba: pattern.rgba.map((v, i) => (i % 4 === 3 ? v : clamp(v * 0.98))) };
    expect(ssim(pattern, shifted)).toBeGreaterThan(s60);
  });

  it('shrinks the window for images smaller than 11 pixels and refuses latents', () => {
    const a = image(4, 4, (x) => x * 40);
    expect(ssim(a, a)).toBeCloseTo(1, 12);
    expect(() => ssim(a, new Float32Array(4) as never)).toThrow(MetricInputError);
  });
});
