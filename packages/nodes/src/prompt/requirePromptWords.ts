import { NodeRunError } from '@ptp/graph-core';
import type { PromptValue } from '../values.js';
import { splitWords } from './splitWords.js';

/**
 * Refuses words (or space-separated phrases) that are not in `prompt`, case-insensitively, naming
 * the param that holds them: schedules and blends refer to prompt words by name.
 */
export function requirePromptWords(words: readonly string[], prompt: PromptValue, param: string): void {
  const have = new Set(prompt.words.map((w) => w.toLowerCase()));
  const missing = words.flatMap(splitWords).filter((w) => !have.has(w.toLowerCase()));
  if (missing.length)
    throw new NodeRunError(`${missing.map((w) => `"${w}"`).join(', ')} not in the prompt "${prompt.text}"`, {
      param,
      code: 'INVALID_PARAM',
    });
}
