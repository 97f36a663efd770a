import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../diffusion/tokenizers/index.js';
import { equalizerVector } from './equalizerVector.js';
import { P2pError } from './P2pError.js';

const bpe = new URL('../../../../fixtures/clip-bpe/', import.meta.url);
const tok = ClipTokenizer.fromFiles({
  vocabJson: readFileSync(new URL('vocab.json', bpe), 'utf8'),
  mergesTxt: readFileSync(new URL('merges.txt', bpe), 'utf8'),
});
const T = 77;

/** Every entry other than 1 as "n=value". */
const changed = (eq: Float32Array) => {
  const out: string[] = [];
  eq.forEach((v, n) => v !== 1 && out.push(`${n}=${v}`));
  return out;
};

describe('equalizerVector', () => {
  it('"a smiling bunny doll" with smiling = 5: token 2 only', () => {
    const eq = equalizerVector(tok, 'a smiling bunny doll', { smiling: 5 }, T);
    expect(eq.length).toBe(T);
    expect(changed(eq)).toEqual(['2=5']);
    expect(eq.reduce((a, b) => a + b, 0)).toBe(76 + 5);
  });

  it('covers every token and every occurrence of each word; negative values allowed', () => {
    const eq = equalizerVector(
      tok,
      'A neoclassical painting of a squirrel eating a burger',
      { neoclassical: 2, a: -1, burger: 10 },
      T,
    );
    expect(changed(eq)).toEqual(['2=2', '3=2', '6=-1', '9=-1', '10=10']);
  });

  it('leaves everything at 1 for a word the prompt lacks', () => {
    expect(changed(equalizerVector(tok, 'a cat', { dog: 3 }, T))).toEqual([]);
  });

  it('rejects a non-finite value', () => {
    expect(() => equalizerVector(tok, 'a cat', { cat: Number.NaN }, T)).toThrow(P2pError);
  });
});
