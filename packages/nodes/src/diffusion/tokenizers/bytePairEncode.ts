/** Suffix openai/CLIP appends to the last symbol of every pre-token (marks a word end). */
export const END_OF_WORD = '</w>';

/**
 * Byte-pair-encodes one pre-token exactly like openai/CLIP `SimpleTokenizer.bpe`: start from
 * single characters with `</w>` glued to the last one, then repeatedly merge every occurrence
 * (left to right, non-overlapping) of the adjacent pair with the lowest merge rank, until no
 * adjacent pair has a rank or one symbol is left.
 *
 * `piece` must already be byte-level (see bytesToUnicode): every character is one UTF-16 unit,
 * so string indexing equals Python's per-character indexing. `ranks` maps "left right" -> rank.
 */
export function bytePairEncode(piece: string, ranks: ReadonlyMap<string, number>): string[] {
  if (piece.length === 0) return [];
  let word: string[] = piece.split('');
  word[word.length - 1] += END_OF_WORD;
  while (word.length > 1) {
    let best = Infinity;
    let first = '';
    let second = '';
    for (let i = 0; i < word.length - 1; i++) {
      const rank = ranks.get(`${word[i]!} ${word[i + 1]!}`);
      if (rank !== undefined && rank < best) {
        best = rank;
        first = word[i]!;
        second = word[i + 1]!;
      }
    }
    if (best === Infinity) break;
    const merged: string[] = [];
    for (let i = 0; i < word.length;) {
      if (i < word.length - 1 && word[i] === first && word[i + 1] === second) {
        merged.push(first + second);
        i += 2;
      } else {
        merged.push(word[i]!);
        i += 1;
      }
    }
    word = merged;
  }
  return word;
}
