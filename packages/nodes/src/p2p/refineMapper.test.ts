import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../diffusion/tokenizers/index.js';
import { refineMapper } from './refineMapper.js';

const bpe = new URL('../../../../fixtures/clip-bpe/', import.meta.url);
const tok = ClipTokenizer.fromFiles({
  vocabJson: readFileSync(new URL('vocab.json', bpe), 'utf8'),
  mergesTxt: readFileSync(new URL('merges.txt', bpe), 'utf8'),
});
const T = 77;

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, d) => from + d);
const at = (M: Float32Array, k: number, n: number) => M[k * T + n]!;
const rowSum = (M: Float32Array, k: number) => M.subarray(k * T, (k + 1) * T).reduce((a, b) => a + b, 0);
const colSum = (M: Float32Array, n: number) => range(0, T).reduce((a, k) => a + at(M, k, n), 0);

const PLAIN = 'A painting of a squirrel eating a burger'; // 10 tokens with BOS/EOS
const NEO = 'A neoclassical painting of a squirrel eating a burger'; // 12: neoclassical = 2, 3

describe('refineMapper', () => {
  it('adding "neoclassical": two new tokens, the rest aligned, identity tail from the target length', () => {
    const { indices, alphas, mapper } = refineMapper(tok, PLAIN, NEO, T);
    expect([...indices]).toEqual([0, 1, -1, -1, ...range(2, 10), ...range(12, 77)]);
    expect([...alphas]).toEqual([1, 1, 0, 0, ...new Array<number>(73).fill(1)]);
    for (let n = 0; n < T; n++) {
      const k = indices[n]!;
      expect(colSum(mapper, n)).toBe(k < 0 ? 0 : 1);
      if (k >= 0) expect(at(mapper, k, n)).toBe(1);
    }
    // Source pads 10 and 11 are no target's source (target tokens 10, 11 take source 8, 9).
    expect(rowSum(mapper, 10)).toBe(0);
    expect(rowSum(mapper, 11)).toBe(0);
    expect(rowSum(mapper, 9)).toBe(1);
    expect(mapper.reduce((a, b) => a + b, 0)).toBe(75);
  });

  it('removing "neoclassical": nothing new, and the tail maps target pads onto the source tail', () => {
    const { indices, alphas, mapper } = refineMapper(tok, NEO, PLAIN, T);
    // Target 10 and 11 are pads; mapper[n] = n there, i.e. the source's burger (10) and EOS (11).
    expect([...indices]).toEqual([0, 1, ...range(4, 12), ...range(10, 77)]);
    expect([...alphas]).toEqual(new Array<number>(T).fill(1));
    expect(rowSum(mapper, 2)).toBe(0);
    expect(rowSum(mapper, 3)).toBe(0);
    expect(at(mapper, 10, 8)).toBe(1);
    expect(at(mapper, 10, 10)).toBe(1);
    expect(rowSum(mapper, 11)).toBe(2);
  });

  it('a repeated token aligns to its first copy (reference tie-breaking)', () => {
    const { indices, alphas } = refineMapper(tok, 'a cat', 'a a cat', T);
    expect([...indices.subarray(0, 6)]).toEqual([0, 1, -1, 2, 3, 5]);
    expect([...alphas.subarray(0, 6)]).toEqual([1, 1, 0, 1, 1, 1]);
  });

  it('a changed word is new, never a mismatch alignment', () => {
    const { indices, alphas, mapper } = refineMapper(tok, 'a cat', 'a dog', T);
    expect([...indices.subarray(0, 5)]).toEqual([0, 1, -1, 3, 4]);
    expect(alphas[2]).toBe(0);
    expect(rowSum(mapper, 2)).toBe(0);
  });

  it('identical prompts give the identity', () => {
    const { indices, alphas, mapper } = refineMapper(tok, PLAIN, PLAIN, T);
    expect([...indices]).toEqual(range(0, T));
    expect(alphas.every((a) => a === 1)).toBe(true);
    for (let n = 0; n < T; n++) expect(at(mapper, n, n)).toBe(1);
    expect(mapper.reduce((a, b) => a + b, 0)).toBe(T);
  });

  it('truncates prompts longer than T instead of failing', () => {
    const long = Array.from({ length: 90 }, () => 'cat').join(' ');
    const { indices } = refineMapper(tok, 'a cat', long, T);
    expect(indices.length).toBe(T);
    expect(indices[T - 1]).toBe(3); // the truncated target's EOS aligns with the source EOS
  });
});
