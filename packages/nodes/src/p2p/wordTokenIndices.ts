import type { Tokenizer } from '../runtime/InferenceBackend.js';
import { P2pError } from './P2pError.js';

type Words = { word: string; tokenIndices: number[] }[];

/** Positions of every run of consecutive prompt words equal to `query` under `same` (`pick`: which of a word's tokens). */
function matchRuns(
  words: Words,
  query: readonly string[],
  same: (a: string, b: string) => boolean,
  pick: (w: Words[number]) => number[] = (w) => w.tokenIndices,
): number[] {
  const out: number[] = [];
  for (let i = 0; i + query.length <= words.length; i++) {
    if (query.every((q, k) => same(words[i + k]!.word, q))) {
      for (let k = 0; k < query.length; k++) out.push(...pick(words[i + k]!));
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
 * - Where both find nothing, words are compared without the punctuation around them and give only
 *   their own tokens ("square" in "a square, on grass"; the reference would select nothing).
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
  const anyCase = matchRuns(words, query, (a, b) => a.toLowerCase() === b.toLowerCase());
  if (anyCase.length > 0) return anyCase;
  // "square" in "a square, on grass": the word without its punctuation, and only its own tokens.
  const strip = (w: string) => wordCore(w).toLowerCase();
  const count = (punct: string) => (punct ? (tokenizer.tokenizeWords(punct)[0]?.tokenIndices.length ?? 0) : 0);
  return matchRuns(
    words,
    query,
    (a, b) => strip(a) !== '' && strip(a) === strip(b),
    (w) => {
      const lead = LEADING_PUNCT.exec(w.word)?.[0] ?? '';
      const trail = TRAILING_PUNCT.exec(w.word)?.[0] ?? '';
      return w.tokenIndices.slice(count(lead), w.tokenIndices.length - count(trail));
    },
  );
}

const LEADING_PUNCT = /^[^\p{L}\p{N}]+/u;
const TRAILING_PUNCT = /[^\p{L}\p{N}]+$/u;

/** A prompt word without the punctuation around it ("square," -> "square"). */
export function wordCore(word: string): string {
  return word.replace(LEADING_PUNCT, '').replace(TRAILING_PUNCT, '');
}
