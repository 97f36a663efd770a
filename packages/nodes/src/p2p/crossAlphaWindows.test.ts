import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../diffusion/tokenizers/index.js';
import { crossAlphaWindows, type CrossAlphaEdit } from './crossAlphaWindows.js';
import { P2pError } from './P2pError.js';

const bpe = new URL('../../../../fixtures/clip-bpe/', import.meta.url);
const tok = ClipTokenizer.fromFiles({
  vocabJson: readFileSync(new URL('vocab.json', bpe), 'utf8'),
  mergesTxt: readFileSync(new URL('merges.txt', bpe), 'utf8'),
});
const T = 77;
const LION = 'A painting of a lion eating a burger'; // lion = token 5

/** Rows t (of steps + 1) where alpha[t, e, n] is 1; checks every value is 0 or 1. */
function activeRows(a: Float32Array, steps: number, E: number, e: number, n: number): number[] {
  const rows: number[] = [];
  for (let t = 0; t <= steps; t++) {
    const v = a[(t * E + e) * T + n]!;
    expect(v === 0 || v === 1).toBe(true);
    if (v === 1) rows.push(t);
  }
  return rows;
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, d) => from + d);

describe('crossAlphaWindows', () => {
  it('S = 50, c = 0.8: int(0.8 * 51) = 40 active rows of 51, for every token', () => {
    const a = crossAlphaWindows({ steps: 50, tokenizer: tok, T, edits: [{ targetText: LION, default: 0.8 }] });
    expect(a.length).toBe(51 * 1 * T);
    for (const n of [0, 5, 76]) expect(activeRows(a, 50, 1, 0, n)).toEqual(range(0, 40));
  });

  it('a missing default means (0, 1): every row', () => {
    const a = crossAlphaWindows({ steps: 50, tokenizer: tok, T, edits: [{ targetText: LION }] });
    expect(a.every((v) => v === 1)).toBe(true);
  });

  it('{ default_: 1.0, lion: 0.4 }: lion gets int(0.4 * 51) = 20 rows, the rest all 51', () => {
    const a = crossAlphaWindows({
      steps: 50,
      tokenizer: tok,
      T,
      edits: [{ targetText: LION, default: 1.0, words: { lion: 0.4 } }],
    });
    expect(activeRows(a, 50, 1, 0, 5)).toEqual(range(0, 20));
    for (const n of [0, 4, 6, 9, 76]) expect(activeRows(a, 50, 1, 0, n)).toEqual(range(0, 51));
  });

  it('a pair window [c0, c1] truncates both ends on S + 1 rows', () => {
    // int(0.2 * 51) = 10, int(0.6 * 51) = int(30.599...) = 30.
    const a = crossAlphaWindows({ steps: 50, tokenizer: tok, T, edits: [{ targetText: LION, default: [0.2, 0.6] }] });
    expect(activeRows(a, 50, 1, 0, 3)).toEqual(range(10, 30));
  });

  it('rounds like Python int() on the float product', () => {
    // 0.29 * 100 = 28.999999999999996 in float64, so 28 rows, not 29.
    const a = crossAlphaWindows({ steps: 99, tokenizer: tok, T, edits: [{ targetText: 'a cat', default: 0.29 }] });
    expect(activeRows(a, 99, 1, 0, 1)).toEqual(range(0, 28));
  });

  it('lays edits out as [S + 1, E, T] and looks words up in each edit prompt', () => {
    const edits: CrossAlphaEdit[] = [
      { targetText: LION, default: 0.8, words: { lion: 0.4 } },
      {
        targetText: 'A neoclassical painting of a squirrel eating a burger',
        default: 0.5,
        words: { neoclassical: [0.1, 0.3], lion: 0.9 },
      },
    ];
    const a = crossAlphaWindows({ steps: 50, tokenizer: tok, T, edits });
    expect(a.length).toBe(51 * 2 * T);
    expect(activeRows(a, 50, 2, 0, 5)).toEqual(range(0, 20));
    expect(activeRows(a, 50, 2, 0, 2)).toEqual(range(0, 40));
    // Edit 1: neoclassical = tokens 2, 3 with int(0.1*51) = 5 .. int(0.3*51) = 15; no lion there.
    for (const n of [2, 3]) expect(activeRows(a, 50, 2, 1, n)).toEqual(range(5, 15));
    for (const n of [1, 4, 5]) expect(activeRows(a, 50, 2, 1, n)).toEqual(range(0, 25));
  });

  it('selects every occurrence of a word, exact case first', () => {
    const a = crossAlphaWindows({
      steps: 10,
      tokenizer: tok,
      T,
      edits: [{ targetText: LION, default: 1, words: { a: 0.5 } }],
    });
    // "a" is tokens 4 and 7; "A" (token 1) is a different word for the reference.
    for (const n of [4, 7]) expect(activeRows(a, 10, 1, 0, n)).toEqual(range(0, 5));
    expect(activeRows(a, 10, 1, 0, 1)).toEqual(range(0, 11));
  });

  it('S = 0 still has one row', () => {
    const a = crossAlphaWindows({ steps: 0, tokenizer: tok, T, edits: [{ targetText: LION, default: 0.8 }] });
    expect(a.length).toBe(T);
    expect(a.every((v) => v === 0)).toBe(true); // int(0.8 * 1) = 0
  });

  it('rejects bad windows and steps, even on a word the prompt lacks', () => {
    const run =
      (edit: CrossAlphaEdit, steps = 50) =>
      () =>
        crossAlphaWindows({ steps, tokenizer: tok, T, edits: [edit] });
    expect(run({ targetText: LION, default: 1.2 })).toThrow(P2pError);
    expect(run({ targetText: LION, default: [0.6, 0.2] })).toThrow(/window/);
    expect(run({ targetText: LION, words: { tiger: -0.1 } })).toThrow(P2pError);
    expect(run({ targetText: LION }, 2.5)).toThrow(P2pError);
  });
});
