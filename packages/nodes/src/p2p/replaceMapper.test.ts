import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../diffusion/tokenizers/index.js';
import { P2pError } from './P2pError.js';
import { replaceMapper } from './replaceMapper.js';

const bpe = new URL('../../../../fixtures/clip-bpe/', import.meta.url);
const tok = ClipTokenizer.fromFiles({
  vocabJson: readFileSync(new URL('vocab.json', bpe), 'utf8'),
  mergesTxt: readFileSync(new URL('merges.txt', bpe), 'utf8'),
});
const T = 77;

const at = (M: Float32Array, k: number, n: number) => M[k * T + n]!;
const rowSum = (M: Float32Array, k: number) => M.subarray(k * T, (k + 1) * T).reduce((a, b) => a + b, 0);
const colSum = (M: Float32Array, n: number) =>
  Array.from({ length: T }, (_, k) => at(M, k, n)).reduce((a, b) => a + b, 0);
/** Every nonzero entry as "k,n=value". */
const entries = (M: Float32Array) => {
  const out: string[] = [];
  M.forEach((v, i) => v !== 0 && out.push(`${Math.floor(i / T)},${i % T}=${+v.toFixed(4)}`));
  return out;
};
const diag = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, d) => `${from + d},${from + d}=1`);

describe('replaceMapper', () => {
  it('squirrel -> lion (one token each) is the identity', () => {
    // A painting of a squirrel eating a burger: squirrel is token 5, lion likewise.
    const M = replaceMapper(tok, 'A painting of a squirrel eating a burger', 'A painting of a lion eating a burger', T);
    expect(M.length).toBe(T * T);
    expect(entries(M)).toEqual(diag(0, 76));
    for (let k = 0; k < T; k++) {
      expect(rowSum(M, k)).toBe(1);
      expect(colSum(M, k)).toBe(1);
    }
  });

  it('one source token onto three target tokens: 1/3 each, then the reference M[j, j] tail', () => {
    // capybara = tokens 5, 6, 7 in the target; source squirrel = 5. After the swap i = 6, j = 8 and
    // the tail writes M[j, j] for j = 8..76, so source eating (6) and a (7) map nowhere and source
    // burger (8) lands on target eating (8).
    const M = replaceMapper(
      tok,
      'A painting of a squirrel eating a burger',
      'A painting of a capybara eating a burger',
      T,
    );
    expect(entries(M)).toEqual([...diag(0, 4), '5,5=0.3333', '5,6=0.3333', '5,7=0.3333', ...diag(8, 76)]);
    expect(rowSum(M, 5)).toBeCloseTo(1, 6);
    expect(rowSum(M, 6)).toBe(0);
    expect(rowSum(M, 7)).toBe(0);
    for (const n of [5, 6, 7]) expect(colSum(M, n)).toBeCloseTo(1 / 3, 6);
    for (const n of [0, 4, 8, 76]) expect(colSum(M, n)).toBe(1);
  });

  it('three source tokens onto one: weight 1 each, the tail stops before the last diagonal entries', () => {
    // After the swap i = 8, j = 6; the tail writes M[j, j] while i < 77, i.e. j = 6..74.
    const M = replaceMapper(
      tok,
      'A painting of a capybara eating a burger',
      'A painting of a squirrel eating a burger',
      T,
    );
    expect(entries(M)).toEqual([...diag(0, 4), '5,5=1', '6,5=1', '6,6=1', '7,5=1', ...diag(7, 74)]);
    expect(colSum(M, 5)).toBe(3);
    expect(rowSum(M, 6)).toBe(2);
    expect(at(M, 75, 75)).toBe(0);
    expect(at(M, 76, 76)).toBe(0);
  });

  it('equal token counts map pairwise, not as a block', () => {
    // neoclassical and pangolin are two tokens each (2, 3).
    const M = replaceMapper(tok, 'A neoclassical painting', 'A pangolin painting', T);
    expect(at(M, 2, 2)).toBe(1);
    expect(at(M, 3, 3)).toBe(1);
    expect(at(M, 2, 3)).toBe(0);
    expect(at(M, 3, 2)).toBe(0);
    expect(entries(M)).toEqual(diag(0, 76));
  });

  it('tracks (i, j) between swaps and switches to the diagonal after the last one', () => {
    // a cat eating a burger -> a capybara eating a pizza: cat 2 -> capybara 2..4, then eating
    // 3 -> 5 and a 4 -> 6 while a swap remains, burger 5 -> pizza 7, then M[j, j] from j = 8.
    const M = replaceMapper(tok, 'a cat eating a burger', 'a capybara eating a pizza', T);
    expect(entries(M)).toEqual([
      ...diag(0, 1),
      '2,2=0.3333',
      '2,3=0.3333',
      '2,4=0.3333',
      '3,5=1',
      '4,6=1',
      '5,7=1',
      ...diag(8, 76),
    ]);
    // The source EOS (6) maps nowhere.
    expect(rowSum(M, 6)).toBe(0);
  });

  it('identical prompts give the identity', () => {
    expect(entries(replaceMapper(tok, 'a cat', 'a cat', T))).toEqual(diag(0, 76));
  });

  it('refuses prompts with different word counts, naming both and suggesting refine', () => {
    const source = 'A painting of a squirrel eating a burger';
    const target = 'A neoclassical painting of a squirrel eating a burger';
    let error: unknown;
    try {
      replaceMapper(tok, source, target, T);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(P2pError);
    const p = error as P2pError;
    expect(p.code).toBe('WORD_COUNT_MISMATCH');
    expect(p.message).toContain(`"${source}" has 8`);
    expect(p.message).toContain(`"${target}" has 9`);
    expect(p.message).toMatch(/refine/);
  });
});
