import { describe, expect, it } from 'vitest';
import { chunkRuns } from './chunkRuns.js';

describe('chunkRuns', () => {
  it('keeps the order and puts as many requests in a group as the byte and run limits allow', () => {
    const reqs = Array.from({ length: 7 }, (_, i) => ({ p: 'x'.repeat(90), i })); // ~100 bytes each
    const groups = chunkRuns(reqs, 350, 100);
    expect(groups.map((g) => g.length)).toEqual([3, 3, 1]);
    expect(groups.flat()).toEqual(reqs);
    expect(chunkRuns(reqs, 1e6, 2).map((g) => g.length)).toEqual([2, 2, 2, 1]);
    expect(chunkRuns([], 100, 10)).toEqual([]);
  });

  it('gives a request larger than the limit a group of its own', () => {
    const big = { p: 'y'.repeat(500) };
    expect(chunkRuns([{ a: 1 }, big, { b: 2 }], 200, 100)).toEqual([[{ a: 1 }], [big], [{ b: 2 }]]);
  });
});
