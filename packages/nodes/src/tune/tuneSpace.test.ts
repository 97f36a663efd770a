import { describe, expect, it } from 'vitest';
import {
  candidateKey,
  defaultTuneSpace,
  radicalInverse,
  sampleCandidates,
  TuneSpaceSchema,
  tunePresets,
} from './tuneSpace.js';

const nodes = { schedule: 'schedule', blend: 'blend' };

describe('tune space', () => {
  it('radical inverse is the van der Corput sequence', () => {
    expect([1, 2, 3, 4].map((i) => radicalInverse(i, 2))).toEqual([0.5, 0.25, 0.75, 0.125]);
    expect(radicalInverse(5, 3)).toBeCloseTo(7 / 9);
  });

  it('samples distinct candidates on the grid, in bounds, presets first, the same for the same seed', () => {
    const space = defaultTuneSpace(nodes);
    const presets = Object.values(tunePresets(nodes));
    const a = sampleCandidates(space, 20, 7, presets);
    expect(a).toHaveLength(20);
    expect(a.slice(0, 2)).toEqual(presets);
    expect(new Set(a.map(candidateKey)).size).toBe(20);
    for (const c of a) {
      expect(c['schedule.vWindow']).toBe(0.8);
      expect([1, 2, 4]).toContain(c['schedule.selfResolutionDivisor']);
      expect(c['blend.k']).toBeGreaterThanOrEqual(0);
      expect(c['blend.k']).toBeLessThanOrEqual(0.9);
      expect(c['schedule.cross']).toBeGreaterThanOrEqual(0.1);
      expect(Math.abs(c['schedule.self']! * 20 - Math.round(c['schedule.self']! * 20))).toBeLessThan(1e-9);
    }
    expect(sampleCandidates(space, 20, 7, presets)).toEqual(a);
    expect(sampleCandidates(space, 20, 8, presets)).not.toEqual(a);
  });

  it('spreads over each dimension better than chance would fail to', () => {
    const c = sampleCandidates(defaultTuneSpace(nodes), 16, 3);
    const cross = c.map((x) => x['schedule.cross']!);
    // 16 quasi-random points cover both halves of [0.1, 1] and use every divisor.
    expect(cross.filter((v) => v < 0.55).length).toBeGreaterThanOrEqual(6);
    expect(cross.filter((v) => v >= 0.55).length).toBeGreaterThanOrEqual(6);
    expect(new Set(c.map((x) => x['schedule.selfResolutionDivisor'])).size).toBe(3);
  });

  it('stops at the number of distinct points of a small space', () => {
    const space = TuneSpaceSchema.parse({ dimensions: [{ column: 's.cross', values: [0.2, 0.8] }] });
    expect(sampleCandidates(space, 10, 1)).toHaveLength(2);
  });

  it('refuses a range with min above max', () => {
    expect(TuneSpaceSchema.safeParse({ dimensions: [{ column: 's.x', min: 1, max: 0, step: 0.1 }] }).success).toBe(
      false,
    );
  });
});
