import { describe, expect, it } from 'vitest';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import type { LatentBatch } from '../image/ImageBatch.js';
import { testPatternNoiseNode } from './testPatternNoiseNode.js';

const run = (params: Record<string, unknown>, model = fakePack()) =>
  (
    testPatternNoiseNode.run({ model }, testPatternNoiseNode.params.parse(params), fakeContext()) as {
      noise: LatentBatch;
    }
  ).noise;

describe('Test-pattern noise node', () => {
  it('is x[i] = sin(0.0123 i) cos(0.771 i) * amplitude over [1, C, height / s, width / s]', () => {
    const noise = run({ width: 32, height: 16 });
    expect(noise.dims).toEqual([1, 4, 4, 8]); // fake pack: 4 latent channels, 4 px per latent cell
    expect(noise.packId).toBe('fake');
    expect(noise.data).toHaveLength(4 * 4 * 8);
    for (const i of [0, 1, 7, 100, 127])
      expect(noise.data[i]).toBeCloseTo(Math.sin(0.0123 * i) * Math.cos(0.771 * i) * 1.5, 6);
  });

  it('matches the reference runs at SD scale (512 px, 8 px per cell: [1, 4, 64, 64]) and scales with amplitude', () => {
    const sd = run({}, fakePack({ vaeScale: 8 }));
    expect(sd.dims).toEqual([1, 4, 64, 64]);
    expect(sd.data[16383]).toBeCloseTo(Math.sin(0.0123 * 16383) * Math.cos(0.771 * 16383) * 1.5, 5);
    const half = run({ width: 32, height: 16, amplitude: 0.75 });
    const full = run({ width: 32, height: 16 });
    half.data.forEach((v, i) => expect(v).toBeCloseTo(full.data[i]! / 2, 6));
  });

  it('rounds a size that is not a multiple of the cell size down', () => {
    expect(run({ width: 30, height: 17 }).dims).toEqual([1, 4, 4, 7]);
  });
});
