import type { Tokenizer } from '../runtime/InferenceBackend.js';
import { alignTokens } from './alignTokens.js';
import { P2pError } from './P2pError.js';
import { promptTokenIds } from './promptTokenIds.js';

export interface RefineMapping {
  /** [T, T] row-major 0/1: M[indices[n], n] = 1 where target token n has a source token; a zero
   * column for new tokens, so `base @ M` is the reference's `base[..., mapper]` times `alphas`. */
  mapper: Float32Array<ArrayBuffer>;
  /** [T]: 0 for target tokens new in the target prompt, 1 elsewhere (pads included). */
  alphas: Float32Array<ArrayBuffer>;
  /** [T]: the reference's integer mapper: aligned source index per target token, -1 if new. */
  indices: Int32Array<ArrayBuffer>;
}

/**
 * Refinement mapper as the reference's `seq_aligner.get_mapper`: align the source and target token
 * sequences (BOS and EOS included, unpadded) with Needleman-Wunsch (gap 0, match 1, mismatch -1);
 * target token j takes its aligned source index, or -1 when new (alpha 0).
 *
 * Past the target's EOS the reference sets `mapper[n] = n` with alpha 1 (its
 * `len(y_seq) + arange(max_len - len(y_seq))` tail). Kept as is: when the source prompt is longer,
 * the target's first pad positions therefore take the source's last word and EOS maps.
 *
 * Prompts are truncated to T tokens (the reference would fail on longer ones).
 */
export function refineMapper(tokenizer: Tokenizer, source: string, target: string, T: number): RefineMapping {
  if (!Number.isInteger(T) || T < 2)
    throw new P2pError('INVALID_ARGUMENT', `token length must be an integer >= 2, got ${T}`);
  const x = promptTokenIds(tokenizer, source, T);
  const y = promptTokenIds(tokenizer, target, T);
  const aligned = alignTokens(x, y);

  const indices = new Int32Array(T);
  const alphas = new Float32Array(T).fill(1);
  for (let n = 0; n < T; n++) {
    if (n < aligned.length) {
      indices[n] = aligned[n]!;
      if (aligned[n]! < 0) alphas[n] = 0;
    } else indices[n] = n;
  }
  const mapper = new Float32Array(T * T);
  for (let n = 0; n < T; n++) {
    const k = indices[n]!;
    if (k >= 0) mapper[k * T + n] = 1;
  }
  return { mapper, alphas, indices };
}
