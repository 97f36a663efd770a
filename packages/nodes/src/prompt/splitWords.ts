/** Prompt-to-Prompt counts words by splitting on spaces (its `seq_aligner` and word swap do so). */
export function splitWords(text: string): string[] {
  return text.trim().split(/\s+/).filter(Boolean);
}
