import { bytePairEncode, END_OF_WORD } from './bytePairEncode.js';
import { bytesToUnicode } from './bytesToUnicode.js';
import { ClipTokenizer } from './ClipTokenizer.js';

export interface ReducedClipVocab {
  /** vocab.json text (symbol -> id), keys written in id order. */
  vocabJson: string;
  /** merges.txt text: "#version: 0.2" header, then one "left right" per line, rank order. */
  mergesTxt: string;
}

export const START_OF_TEXT = '<|startoftext|>';
export const END_OF_TEXT = '<|endoftext|>';

/**
 * Builds a small CLIP BPE vocab in the exact format of the full one, in which every pre-token of
 * `words` is a single token and anything else falls back to byte pieces. Small packs made by this
 * project ship it; the Python model code builds the same file, so the layout is a contract:
 *
 *   ids 0..255     the 256 byte symbols, in bytes_to_unicode order (printable bytes '!'..'~',
 *                  '¡'..'¬', '®'..'ÿ', then the other bytes mapped to U+0100..U+0143)
 *   ids 256..511   the same 256 symbols with "</w>" appended, same order
 *   ids 512..      the concatenation left+right of each merge, in merge order; a string already
 *                  in the vocab is not added again (no id is skipped)
 *   then           "<|startoftext|>" and "<|endoftext|>" (so vocabSize = 514 + #new symbols)
 *
 * Merges, for each word in order, for each of its pre-tokens (CLIP clean + lower-case + word
 * regex, UTF-8 bytes through bytes_to_unicode; special-token pieces skipped):
 *
 *   while len(syms := bpe(piece, merges so far)) > 1:
 *       merges.append((syms[0], syms[1]))      # merge the leftmost remaining pair
 *
 * A new merge has the worst rank, so it never changes how earlier pieces tokenize (their BPE
 * never stopped with an unranked pair left), and each piece ends as one `...</w>` symbol.
 * Duplicate words add nothing. merges.txt ends with a newline.
 */
export function buildReducedClipVocab(words: readonly string[]): ReducedClipVocab {
  const symbols: string[] = [...bytesToUnicode().values()];
  const base = [...symbols, ...symbols.map((s) => s + END_OF_WORD)];
  const vocab = new Map<string, number>(base.map((s, i) => [s, i]));

  // Pre-tokenize with the real tokenizer over the bare byte vocab, so the split rules are shared.
  const pre = new ClipTokenizer(new Map([...vocab, [START_OF_TEXT, vocab.size], [END_OF_TEXT, vocab.size + 1]]), []);
  const ranks = new Map<string, number>();
  const merges: string[] = [];
  for (const word of words) {
    for (const piece of pre.preTokenize(word)) {
      if (piece === START_OF_TEXT || piece === END_OF_TEXT) continue;
      for (let syms = bytePairEncode(piece, ranks); syms.length > 1; syms = bytePairEncode(piece, ranks)) {
        const [left, right] = syms as [string, string];
        const line = `${left} ${right}`;
        ranks.set(line, merges.length);
        merges.push(line);
        if (!vocab.has(left + right)) vocab.set(left + right, vocab.size);
      }
    }
  }
  vocab.set(START_OF_TEXT, vocab.size);
  vocab.set(END_OF_TEXT, vocab.size);

  // Written by hand: JSON.stringify would put integer-like keys ("0".."9") first.
  const vocabJson = `{${[...vocab].map(([s, id]) => `${JSON.stringify(s)}: ${id}`).join(', ')}}`;
  const mergesTxt = ['#version: 0.2', ...merges].join('\n') + '\n';
  return { vocabJson, mergesTxt };
}
