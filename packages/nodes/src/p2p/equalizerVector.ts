import type { Tokenizer } from '../runtime/InferenceBackend.js';
import { P2pError } from './P2pError.js';
import { wordTokenIndices } from './wordTokenIndices.js';

/**
 * Reweighting vector [T] as the null-text notebook's `get_equalizer` (word, value pairs): 1
 * everywhere except each word's token positions in `text`, which take its value. Applied to the
 * cross-attention map without renormalising, so values may be negative or above 1. Words are
 * applied in key order; a later word wins where two select the same token (only possible through
 * the case-insensitive fallback of `wordTokenIndices`).
 */
export function equalizerVector(
  tokenizer: Tokenizer,
  text: string,
  values: Readonly<Record<string, number>>,
  T: number,
): Float32Array<ArrayBuffer> {
  if (!Number.isInteger(T) || T < 1)
    throw new P2pError('INVALID_ARGUMENT', `token length must be a positive integer, got ${T}`);
  const eq = new Float32Array(T).fill(1);
  for (const [word, value] of Object.entries(values)) {
    if (!Number.isFinite(value))
      throw new P2pError('INVALID_ARGUMENT', `reweight value of "${word}" must be a finite number, got ${value}`);
    for (const n of wordTokenIndices(tokenizer, text, word)) if (n < T) eq[n] = value;
  }
  return eq;
}
