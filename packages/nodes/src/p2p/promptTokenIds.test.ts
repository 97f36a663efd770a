import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ClipTokenizer } from '../diffusion/tokenizers/index.js';
import { promptTokenIds } from './promptTokenIds.js';

const bpe = new URL('../../../../fixtures/clip-bpe/', import.meta.url);
const tok = ClipTokenizer.fromFiles({
  vocabJson: readFileSync(new URL('vocab.json', bpe), 'utf8'),
  mergesTxt: readFileSync(new URL('merges.txt', bpe), 'utf8'),
});

describe('promptTokenIds', () => {
  it('is BOS, ids, EOS without padding (the reference tokenizer.encode)', () => {
    expect(promptTokenIds(tok, 'a smiling bunny doll', 77)).toEqual([49406, 320, 9200, 9258, 9286, 49407]);
    expect(promptTokenIds(tok, 'a smiling bunny doll', 77)).toEqual(tok.encodeWithSpecial('a smiling bunny doll'));
    expect(promptTokenIds(tok, '', 77)).toEqual([49406, 49407]);
  });

  it('truncates to the length, keeping EOS last', () => {
    const ids = promptTokenIds(tok, Array.from({ length: 100 }, () => 'cat').join(' '), 77);
    expect(ids.length).toBe(77);
    expect(ids[76]).toBe(49407);
  });
});
