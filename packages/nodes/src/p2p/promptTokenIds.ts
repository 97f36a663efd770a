import type { Tokenizer } from '../runtime/InferenceBackend.js';

/**
 * BOS, the prompt's ids and EOS, without padding: the reference's `tokenizer.encode(text)`, which
 * `seq_aligner` aligns. Built from `encodePadded` cut after the first EOS, so it is truncated to
 * `length` (the reference does not truncate; its mapper would fail on a prompt over 77 tokens).
 */
export function promptTokenIds(tokenizer: Tokenizer, text: string, length: number): number[] {
  // The EOS id is not on the interface; an empty prompt padded to 2 is exactly [BOS, EOS].
  const eos = tokenizer.encodePadded('', 2)[1];
  const padded = tokenizer.encodePadded(text, length);
  // Search from 1 so a tokenizer whose BOS equals its EOS still keeps its BOS.
  const end = padded.indexOf(eos!, 1);
  return end < 0 ? padded : padded.slice(0, end + 1);
}
