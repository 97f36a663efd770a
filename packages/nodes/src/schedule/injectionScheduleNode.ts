import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import { promptWordIssues } from '../prompt/promptWordIssues.js';
import type { ScheduleSpec } from '../values.js';
import { WindowSchema } from './windowSchema.js';

export const injectionScheduleNode = defineNode({
  type: 'ptp.injectionSchedule',
  version: 1,
  title: 'Injection schedule',
  category: 'edit',
  description:
    'Which attention is injected from the source into an edit, and when (replace, refine, reweight, V injection).',
  inputs: {
    source: { type: 'PROMPT', description: 'the source prompt' },
    target: { type: 'PROMPT', description: 'the edit prompt' },
    blend: { type: 'BLEND', optional: true, description: 'confine this edit with a local blend' },
  },
  outputs: { schedule: { type: 'SCHEDULE' } },
  params: z.object({
    mode: z
      .enum(['replace', 'refine', 'reweight'])
      .default('replace')
      .meta({ description: 'replace: word swap; refine: added or changed phrases; reweight: scale words only' }),
    cross: WindowSchema.default(0.8).meta({
      description: 'cross-attention injection window (fraction of steps, or [start, end])',
      step: 0.05,
    }),
    crossWords: z
      .record(z.string().min(1).max(100), WindowSchema)
      .default({})
      .meta({ description: 'per-word cross windows overriding the default', widget: 'word-windows', advanced: true }),
    self: WindowSchema.default(0.4).meta({ description: 'self-attention injection window', step: 0.05 }),
    selfResolutionDivisor: z.number().int().min(1).max(64).default(4).meta({
      description: 'replace self-attention only in layers of side <= latent side / this (SD: 64/4 = 16)',
      advanced: true,
    }),
    vWindow: WindowSchema.default(0).meta({ description: 'V-value injection window', step: 0.05, advanced: true }),
    vBeta: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .meta({ description: 'V-value injection strength (0 = off)', step: 0.05, advanced: true }),
    equalizer: z.record(z.string().min(1).max(100), z.number().min(-10).max(20)).default({}).meta({
      description: 'attention reweighting per target word (1 = unchanged)',
      widget: 'word-values',
      advanced: true,
    }),
  }),
  check: ({ source, target }, p) => [
    ...(p.mode === 'replace' && source && target && source.words.length !== target.words.length
      ? [
          {
            message: `word swap needs prompts with the same number of words: "${source.text}" has ${source.words.length}, "${target.text}" has ${target.words.length}; use mode "refine" to add or remove words`,
            input: 'target',
          },
        ]
      : []),
    ...(p.mode === 'reweight' && Object.keys(p.equalizer).length === 0
      ? [{ message: 'reweight needs at least one word in "equalizer"', param: 'equalizer' }]
      : []),
    ...promptWordIssues(Object.keys(p.crossWords), target, 'crossWords'),
    ...promptWordIssues(Object.keys(p.equalizer), target, 'equalizer'),
  ],
  static: true,
  run: ({ source, target, blend }, p) => {
    const schedule: ScheduleSpec = {
      source,
      target,
      mode: p.mode,
      reweightAfter: p.mode !== 'reweight' && Object.keys(p.equalizer).length > 0,
      cross: { default: p.cross, words: p.crossWords },
      self: p.self,
      selfResolutionDivisor: p.selfResolutionDivisor,
      vInjection: { window: p.vWindow, beta: p.vBeta },
      equalizer: p.equalizer,
      ...(blend ? { blend } : {}),
    };
    return { schedule };
  },
});
