import { describe, expect, it } from 'vitest';
import { splitWords } from '../prompt/splitWords.js';
import type { ScheduleSpec } from '../values.js';
import { mirrorSchedule } from './mirrorSchedule.js';

const prompt = (text: string) => ({ text, words: splitWords(text) });

const base: ScheduleSpec = {
  source: prompt('a red circle on a white background'),
  target: prompt('a blue circle on a white background'),
  mode: 'replace',
  reweightAfter: true,
  cross: { default: 0.2, words: { blue: [0, 0.5], circle: 0.4 } },
  self: 0.8,
  selfResolutionDivisor: 4,
  vInjection: { window: 0.8, beta: 0.5 },
  equalizer: { blue: 2 },
  blend: { sourceWords: ['red'], targetWords: ['blue'], k: 0.3, start: 0.2, subtractWords: ['background'] },
};

describe('mirrorSchedule', () => {
  it('swaps the prompts and keeps windows and strengths', () => {
    const m = mirrorSchedule(base);
    expect(m.source.text).toBe(base.target.text);
    expect(m.target.text).toBe(base.source.text);
    expect(m).toMatchObject({
      mode: 'replace',
      self: 0.8,
      selfResolutionDivisor: 4,
      vInjection: { window: 0.8, beta: 0.5 },
      cross: { default: 0.2 },
    });
  });

  it('moves word-keyed settings to the swapped word (by position for a word swap)', () => {
    const m = mirrorSchedule(base);
    expect(m.cross.words).toEqual({ red: [0, 0.5], circle: 0.4 });
    expect(m.equalizer).toEqual({ red: 2 });
    expect(m.reweightAfter).toBe(true);
    expect(m.blend).toMatchObject({ sourceWords: ['blue'], targetWords: ['red'], subtractWords: ['background'] });
  });

  it('drops words the way back has no counterpart for (refine)', () => {
    const refine: ScheduleSpec = {
      ...base,
      mode: 'refine',
      target: prompt('a big blue circle on a white background'),
      cross: { default: 0.4, words: { big: 0.1, circle: 0.3 } },
      equalizer: { big: 3 },
    };
    const m = mirrorSchedule(refine);
    expect(m.cross.words).toEqual({ circle: 0.3 });
    expect(m.equalizer).toEqual({});
    expect(m.reweightAfter).toBe(false);
  });

  it('mirroring twice gives the original back for a word swap', () => {
    expect(mirrorSchedule(mirrorSchedule(base))).toEqual(base);
  });
});
