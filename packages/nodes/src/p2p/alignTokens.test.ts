import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alignTokens } from './alignTokens.js';

/** Longest common subsequence length, the best global score with gap 0 when mismatches are never used. */
function lcs(x: number[], y: number[]): number {
  const d = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++)
      d[i]![j] = x[i - 1] === y[j - 1] ? d[i - 1]![j - 1]! + 1 : Math.max(d[i - 1]![j]!, d[i]![j - 1]!);
  }
  return d[x.length]![y.length]!;
}

describe('alignTokens', () => {
  // Traced by hand through the reference's global_align / get_aligned_sequences.
  it('breaks ties like the reference', () => {
    // (2,2) takes "left" on a tie, so y[1] becomes the gap and y[0] matches x[1].
    expect([...alignTokens([1, 2], [2, 1])]).toEqual([1, -1]);
    // A repeated target token matches its first copy.
    expect([...alignTokens([5], [5, 5])]).toEqual([0, -1]);
    expect([...alignTokens([0, 7, 8, 9], [0, 7, 7, 8, 9])]).toEqual([0, 1, -1, 2, 3]);
  });

  it('never aligns a mismatch', () => {
    expect([...alignTokens([1, 2, 3], [1, 9, 3])]).toEqual([0, -1, 2]);
  });

  it('handles identical and empty sequences', () => {
    expect([...alignTokens([4, 5, 6], [4, 5, 6])]).toEqual([0, 1, 2]);
    expect([...alignTokens([], [1, 2])]).toEqual([-1, -1]);
    expect([...alignTokens([1, 2], [])]).toEqual([]);
  });

  it('is an increasing matching of equal tokens of maximal size', () => {
    const seq = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 12 });
    fc.assert(
      fc.property(seq, seq, (x, y) => {
        const m = alignTokens(x, y);
        expect(m.length).toBe(y.length);
        let last = -1;
        let matched = 0;
        m.forEach((i, j) => {
          if (i < 0) return;
          expect(i).toBeGreaterThan(last);
          expect(x[i]).toBe(y[j]);
          last = i;
          matched++;
        });
        expect(matched).toBe(lcs(x, y));
      }),
      { numRuns: 300 },
    );
  });
});
