import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../diffusion/tokenizers/index.js';
import { P2pError } from './P2pError.js';
import { wordTokenIndices } from './wordTokenIndices.js';

const bpe = new URL('../../../../fixtures/clip-bpe/', import.meta.url);
const tok = ClipTokenizer.fromFiles({
  vocabJson: readFileSync(new URL('vocab.json', bpe), 'utf8'),
  mergesTxt: readFileSync(new URL('merges.txt', bpe), 'utf8'),
});

const SQUIRREL = 'A painting of a squirrel eating a burger';
const NEO = 'A neoclassical painting of a squirrel eating a burger';

describe('wordTokenIndices', () => {
  it('selects a word by position (BOS is token 0)', () => {
    expect(wordTokenIndices(tok, SQUIRREL, 4)).toEqual([5]);
    expect(wordTokenIndices(tok, SQUIRREL, 0)).toEqual([1]);
    expect(wordTokenIndices(tok, NEO, 1)).toEqual([2, 3]);
    expect(wordTokenIndices(tok, SQUIRREL, 8)).toEqual([]);
    expect(wordTokenIndices(tok, SQUIRREL, -1)).toEqual([]);
  });

  it('selects every occurrence of a word, case-sensitively first as the reference does', () => {
    expect(wordTokenIndices(tok, SQUIRREL, 'a')).toEqual([4, 7]);
    expect(wordTokenIndices(tok, SQUIRREL, 'A')).toEqual([1]);
    expect(wordTokenIndices(tok, NEO, 'neoclassical')).toEqual([2, 3]);
    expect(wordTokenIndices(tok, 'The cat and the Cat', 'cat')).toEqual([2]);
  });

  it('falls back to a case-insensitive match only when nothing matches exactly', () => {
    expect(wordTokenIndices(tok, 'a lion eating', 'Lion')).toEqual([2]);
    expect(wordTokenIndices(tok, 'The cat and the Cat', 'CAT')).toEqual([2, 5]);
  });

  it('matches whole words, punctuation included; without it only where nothing else matches, and only its own tokens', () => {
    expect(wordTokenIndices(tok, 'a burger.', 'burger.')).toEqual([2, 3]);
    // The reference selects nothing here (its split(" ") words are "burger."); validation accepts
    // the word, so it must select the word's own token, not the full stop.
    expect(wordTokenIndices(tok, 'a burger.', 'burger')).toEqual([2]);
    expect(wordTokenIndices(tok, 'a red square, on grass', 'square')).toEqual([3]);
    expect(wordTokenIndices(tok, 'a "red" square', 'red')).toEqual([3]);
    expect(wordTokenIndices(tok, 'burger. and a burger', 'burger')).toEqual([5]); // an exact match wins
    expect(wordTokenIndices(tok, 'a burger', ',')).toEqual([]);
    expect(wordTokenIndices(tok, SQUIRREL, 'lion')).toEqual([]);
    expect(wordTokenIndices(tok, SQUIRREL, '')).toEqual([]);
  });

  it('matches a multi-word string as consecutive words', () => {
    expect(wordTokenIndices(tok, SQUIRREL, 'eating a')).toEqual([6, 7]);
    expect(wordTokenIndices(tok, SQUIRREL, 'a burger')).toEqual([7, 8]);
    expect(wordTokenIndices(tok, 'a a a', 'a a')).toEqual([1, 2, 3]);
  });

  it('agrees with tokenizeWords for every word position', () => {
    const words = tok.tokenizeWords(NEO);
    words.forEach((w, i) => expect(wordTokenIndices(tok, NEO, i)).toEqual(w.tokenIndices));
  });

  it('rejects a non-integer position', () => {
    expect(() => wordTokenIndices(tok, SQUIRREL, 1.5)).toThrow(P2pError);
  });
});
