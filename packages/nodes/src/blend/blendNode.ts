import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import { requirePromptWords } from '../prompt/requirePromptWords.js';

const Words = z.array(z.string().min(1).max(100)).max(16);

export const blendNode = defineNode({
  type: 'ptp.blend',
  version: 1,
  title: 'Local blend',
  category: 'edit',
  description: 'Confines an edit to where the chosen words attend (mask of source OR edit above threshold k).',
  inputs: { source: { type: 'PROMPT' }, target: { type: 'PROMPT' } },
  outputs: { blend: { type: 'BLEND' } },
  params: z.object({
    sourceWords: Words.default([]).meta({ widget: 'words', wordsFrom: 'source' }),
    targetWords: Words.default([]).meta({ widget: 'words', wordsFrom: 'target' }),
    k: z
      .number()
      .min(0)
      .max(1)
      .default(0.3)
      .meta({ description: 'mask threshold on max-normalised maps; 0 = no localisation', step: 0.05 }),
    start: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .meta({ description: 'fraction of steps before blending starts', step: 0.05 }),
    subtractWords: Words.default([]).meta({
      widget: 'words',
      wordsFrom: 'target',
      description: 'words whose mask is removed',
    }),
  }),
  run: ({ source, target }, p) => {
    if (p.sourceWords.length === 0 && p.targetWords.length === 0)
      throw new NodeRunError('choose at least one blend word', { param: 'targetWords', code: 'INVALID_PARAM' });
    requirePromptWords(p.sourceWords, source, 'sourceWords');
    requirePromptWords(p.targetWords, target, 'targetWords');
    requirePromptWords(p.subtractWords, target, 'subtractWords');
    return {
      blend: {
        sourceWords: p.sourceWords,
        targetWords: p.targetWords,
        k: p.k,
        start: p.start,
        subtractWords: p.subtractWords,
      },
    };
  },
});
