import { NodeRunError } from '@ptp/graph-core';
import type { ModelPack } from '../runtime/InferenceBackend.js';

/**
 * Refuses prompts longer than the text encoder reads (T - 2 tokens besides BOS and EOS) instead of
 * silently cutting them, which would also shift every word index a schedule relies on.
 */
export function checkPromptLength(pack: ModelPack, text: string, input: string): void {
  const T = pack.layout.tokenLength;
  const ids = pack.tokenizer.encodePadded(text, 4 * T + 8);
  const eos = ids.indexOf(ids[ids.length - 1]!, 1); // padding repeats EOS; the first one ends the text
  const count = eos - 1;
  if (count > T - 2)
    throw new NodeRunError(
      `prompt "${text.length > 60 ? `${text.slice(0, 60)}...` : text}" has ${count} tokens; this model reads at most ${T - 2}`,
      { input },
    );
}
