import type { Tokenizer } from '../runtime/InferenceBackend.js';
import { P2pError } from './P2pError.js';

/**
 * Word-swap mapper M [T, T] (row-major): row = source token k, column = target token n, so the
 * injected map is `base @ M` (the reference's `einsum('hpw,bwn->bhpn', base, M)`). Reproduces
 * `seq_aligner.get_replacement_mapper_` exactly, quirks included:
 *
 * - The prompts must have the same number of space-separated words; words that differ (case-
 *   sensitive string compare, as the reference) are swapped.
 * - A swapped word with as many tokens on both sides maps them pairwise (weight 1); otherwise every
 *   source token maps to every target token with weight 1 / (target token count).
 * - Before the last swapped word, unchanged tokens map (i, j) with source and target cursors moving
 *   together. After it, the reference writes `M[j, j] = 1`, i.e. the diagonal of the target cursor
 *   rather than (i, j), until either cursor reaches T. When the swapped word's token counts differ
 *   this misaligns the rest of the prompt by the difference, leaves source rows without a target,
 *   and (source word longer) leaves the last diagonal entries zero. Kept so results match the
 *   reference; use refine for swaps that change token counts if that matters.
 *
 * Tokens cut off by truncation to T are ignored: a swapped word with no source tokens is dropped;
 * one whose target tokens were all cut maps to nothing (the reference divides by zero there).
 */
export function replaceMapper(
  tokenizer: Tokenizer,
  source: string,
  target: string,
  T: number,
): Float32Array<ArrayBuffer> {
  if (!Number.isInteger(T) || T < 2)
    throw new P2pError('INVALID_ARGUMENT', `token length must be an integer >= 2, got ${T}`);
  const wordsX = tokenizer.tokenizeWords(source);
  const wordsY = tokenizer.tokenizeWords(target);
  if (wordsX.length !== wordsY.length) {
    throw new P2pError(
      'WORD_COUNT_MISMATCH',
      `word swap (replace) needs prompts with the same number of words, but "${source}" has ${wordsX.length} and "${target}" has ${wordsY.length}; use refine to add or remove words`,
    );
  }
  const inRange = (inds: readonly number[]) => inds.filter((p) => p < T);
  const swaps: { src: number[]; tgt: number[] }[] = [];
  wordsX.forEach((wx, w) => {
    const wy = wordsY[w]!;
    if (wx.word === wy.word) return;
    const src = inRange(wx.tokenIndices);
    if (src.length > 0) swaps.push({ src, tgt: inRange(wy.tokenIndices) });
  });

  const M = new Float32Array(T * T);
  let i = 0;
  let j = 0;
  let cur = 0;
  while (i < T && j < T) {
    const swap = swaps[cur];
    if (swap && swap.src[0] === i) {
      const { src, tgt } = swap;
      if (src.length === tgt.length) {
        src.forEach((k, m) => (M[k * T + tgt[m]!] = 1));
      } else {
        const w = 1 / tgt.length;
        for (const k of src) for (const n of tgt) M[k * T + n] = w;
      }
      cur++;
      i += src.length;
      j += tgt.length;
    } else if (swap) {
      M[i * T + j] = 1;
      i++;
      j++;
    } else {
      // The reference's tail: the target cursor's diagonal, not (i, j).
      M[j * T + j] = 1;
      i++;
      j++;
    }
  }
  return M;
}
