import type { PromptValue, ScheduleSpec } from '../values.js';
import { splitWords } from '../prompt/splitWords.js';

/**
 * The schedule of the way back, B -> A, for the cycle A -> B -> A: prompts swapped, the same
 * windows and strengths. Settings keyed by target words (per-word cross windows, the equalizer)
 * move to the word of A they stand for: by position for a word swap (equal word counts), by
 * identity otherwise (a word B added has no counterpart in A and is dropped). Blend words swap
 * sides.
 */
export function mirrorSchedule(s: ScheduleSpec): ScheduleSpec {
  const a = s.source;
  const b = s.target;
  const moveKeys = <V>(rec: Readonly<Record<string, V>>): Record<string, V> => {
    const out: Record<string, V> = {};
    for (const [key, v] of Object.entries(rec)) {
      const words = splitWords(key).map((w) => counterpart(w, a, b, s.mode === 'replace'));
      if (words.every((w): w is string => w !== undefined)) out[words.join(' ')] = v;
    }
    return out;
  };
  const equalizer = moveKeys(s.equalizer);
  const inA = (w: string) => a.words.some((x) => x.toLowerCase() === w.toLowerCase());
  return {
    ...s,
    source: b,
    target: a,
    cross: { default: s.cross.default, words: moveKeys(s.cross.words) },
    equalizer,
    reweightAfter: s.mode !== 'reweight' && Object.keys(equalizer).length > 0,
    ...(s.blend
      ? {
          blend: {
            ...s.blend,
            sourceWords: s.blend.targetWords,
            targetWords: s.blend.sourceWords,
            subtractWords: s.blend.subtractWords.filter((w) => splitWords(w).every(inA)),
          },
        }
      : {}),
  };
}

/** The word of A that word `w` of B stands for. */
function counterpart(w: string, a: PromptValue, b: PromptValue, positional: boolean): string | undefined {
  const lw = w.toLowerCase();
  if (positional) {
    const i = b.words.findIndex((x) => x.toLowerCase() === lw);
    return i >= 0 ? a.words[i] : undefined;
  }
  return a.words.find((x) => x.toLowerCase() === lw);
}
