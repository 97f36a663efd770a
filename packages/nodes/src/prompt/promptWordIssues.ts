import type { CheckIssue } from '@ptp/graph-core';
import type { PromptValue } from '../values.js';
import { wordCore } from '../p2p/wordTokenIndices.js';
import { splitWords } from './splitWords.js';

/**
 * Words (or space-separated phrases) of `param` that are not in `prompt`, case-insensitively, as
 * a check issue: schedules and blends refer to prompt words by name. Nothing while the prompt is
 * not known yet (the engine checks again with every input before running).
 */
export function promptWordIssues(
  words: readonly string[],
  prompt: PromptValue | undefined,
  param: string,
): CheckIssue[] {
  if (!prompt) return [];
  // As the controllers find them: also without the punctuation around a prompt word ("square,").
  const have = new Set(prompt.words.flatMap((w) => [w.toLowerCase(), wordCore(w).toLowerCase()]));
  const missing = words.flatMap(splitWords).filter((w) => !have.has(w.toLowerCase()));
  if (!missing.length) return [];
  return [{ message: `${missing.map((w) => `"${w}"`).join(', ')} not in the prompt "${prompt.text}"`, param }];
}
