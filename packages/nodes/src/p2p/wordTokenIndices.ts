import type { Tokenizer } from '../runtime/InferenceBackend.js';
import { P2pError } from './P2pError.js';

type Words = { word: string; tokenIndices: number[] }[];

/** Positions of every run of consecutive prompt words equal to `query` under `same`. */
function matchRuns(words: Words, query: readonly string[], same: (a: string, b: string) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i + query.length <= words.length; i++) {
    if (query.every((q, k) => same(words[i + k]!.word, q))) {
      for (let k = 0; k < query.length; k++) out.push(...words[i + k]!.tokenIndices);
    }
  }
  // Overlapping runs ("a a" in "a a a") can repeat a position.
  return [...new Set(out)].sort((a, b) => a - b);
}

/**
 * Token positions (in the padded sequence, BOS at 0) of a word of `text`, as the reference's
 * `ptp_utils.get_word_inds` gives them.
 *
 * - A number selects the word at that position of the space-separated prompt (out of range or
 *   negative: no tokens, as in the reference).
 * - A string selects every word equal to it. The reference compares the raw `text.split(" ")`
 *   words case-sensitively (only the token ids are lower-cased), so "A" in "A cat and a dog" finds
 *   only the first word; that exact match is kept. Where it finds nothing, we retry ignoring case:
 *   the reference would silently select nothing, while the nodes validate words case-insensitively,
 *   so "Lion" for "a lion" would pass validation and then have no effect.
 * - A string with spaces selects runs of consecutive words (the reference never matches such a
 *   string); a single word behaves exactly as the reference.
 *
 * Words are whitespace-folded by the tokenizer, so double spaces do not create empty words as
 * `split(" ")` does; positions cut off by truncation are left out.
 */
export function wordTokenIndices(tokenizer: Tokenizer, text: string, word: string | number): number[] {
  const words = tokenizer.tokenizeWords(text);
  if (typeof word === 'number') {
    if (!Number.isInteger(word))
      throw new P2pError('INVALID_ARGUMENT', `word position must be an integer, got ${word}`);
    return [...(words[word]?.tokenIndices ?? [])];
  }
  const query = word.trim().split(/\s+/).filter(Boolean);
  if (query.length === 0) return [];
  const exact = matchRuns(words, query, (a, b) => a === b);
  if (exact.length > 0) return exact;
  return matchRuns(words, query, (a, b) => a.toLowerCase() === b.toLowerCase());
}
