import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import { promptWordIssues } from '../prompt/promptWordIssues.js';

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
      .meta({ description: 'fraction of steps before blending starts', step: 0.05, advanced: true }),
    subtractWords: Words.default([]).meta({
      widget: 'words',
      wordsFrom: 'target',
      description: 'words whose mask is removed',
      advanced: true,
    }),
  }),
  check: ({ source, target }, p) => [
    ...(p.sourceWords.length === 0 && p.targetWords.length === 0
      ? [
          {
            message:
              'choose at least one blend word: the words whose attention marks where the edit may change the picture',
            param: 'targetWords',
          },
        ]
      : []),
    ...promptWordIssues(p.sourceWords, source, 'sourceWords'),
    ...promptWordIssues(p.targetWords, target, 'targetWords'),
    ...promptWordIssues(p.subtractWords, target, 'subtractWords'),
  ],
  static: true,
  run: (_inputs, p) => {
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
