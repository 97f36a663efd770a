import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import type { RgbaImage } from '../image/ImageBatch.js';
import { INVERSION_METHODS, type MetricsValue, type ScheduleSpec } from '../values.js';
import { chainPhases, chainProblems, runChain, type ChainResult } from './runChain.js';

const withoutV = (s: ScheduleSpec): ScheduleSpec => ({ ...s, vInjection: { ...s.vInjection, beta: 0 } });

/** Flat, turn-named figures ("turn1.backgroundPsnr", "oneStep.success"), so summary.json reads like a table. */
function figures(r: ChainResult, prefix: string): { values: Record<string, number>; context: Record<string, string> } {
  const values: Record<string, number> = {};
  const context: Record<string, string> = {};
  r.drift.forEach((d, k) => {
    for (const [name, v] of Object.entries(d.values)) values[`${prefix}turn${k + 1}.${name}`] = v;
    context[`${prefix}turn${k + 1}.untouched`] = d.untouched;
  });
  if (r.oneStep) {
    for (const [name, v] of Object.entries(r.oneStep.drift.values)) values[`${prefix}oneStep.${name}`] = v;
    values[`${prefix}oneStep.vsChainPsnr`] = r.oneStep.vsChainPsnr;
  }
  return { values, context };
}

const batch = (r: ChainResult): RgbaImage[] => [...r.images, ...(r.oneStep ? [r.oneStep.image] : [])];

export const editChainNode = defineNode({
  type: 'ptp.editChain',
  version: 1,
  title: 'Edit chain',
  category: 'edit',
  description:
    'Edits a picture turn after turn, re-encoding and inverting each result before the next edit, and measures the drift of each turn against the original (tiny-shapes or tiny-scenes: structure IoU, background and untouched-object or -region PSNR, success); with and without V injection, and against the combined edit in one step.',
  inputs: {
    model: { type: 'MODEL' },
    source: { type: 'SOURCE', description: 'the original: an inverted picture or a generated source' },
    turns: {
      type: 'SCHEDULE',
      multi: true,
      description: 'one link per turn, in order; each starts from the last target',
    },
    combined: {
      type: 'SCHEDULE',
      optional: true,
      description: 'the whole edit (original -> last target) in one step, for comparison',
    },
  },
  outputs: {
    metrics: { type: 'METRICS' },
    images: {
      type: 'IMAGE',
      description: 'original, turns 1..N, one-step; then the same without V injection when vInjection is "both"',
    },
  },
  params: z.object({
    method: z
      .enum(INVERSION_METHODS)
      .default('direct')
      .meta({ description: 'how each turn’s result is inverted before the next turn' }),
    inverseGuidance: z.number().min(0).max(30).default(1).meta({ step: 0.5 }),
    vInjection: z.enum(['both', 'as-scheduled', 'off']).default('both').meta({
      description:
        'both: run the chain as scheduled (turnK.*) and again with V injection off (noV.turnK.*); off: only without',
    }),
    dilate: z
      .number()
      .int()
      .min(0)
      .max(8)
      .default(1)
      .meta({ description: 'pixels masks grow (background) or shrink (shape) by before comparing' }),
    maxTurns: z.number().int().min(1).max(16).default(8).meta({ advanced: true }),
  }),
  check: ({ turns, combined }, p) =>
    turns === undefined
      ? []
      : turns.length > p.maxTurns
        ? [{ message: `${turns.length} turns exceed maxTurns ${p.maxTurns}`, input: 'turns', param: 'maxTurns' }]
        : chainProblems(turns, combined),
  run: async ({ model: pack, source, turns, combined }, p, ctx) => {
    if (source.packId !== pack.id)
      throw new NodeRunError(`the source was made with pack "${source.packId}", not "${pack.id}"`, {
        code: 'INVALID_INPUT',
        input: 'source',
      });
    if (turns.length > p.maxTurns)
      throw new NodeRunError(`${turns.length} turns exceed maxTurns ${p.maxTurns}`, {
        code: 'LIMIT_EXCEEDED',
        param: 'maxTurns',
      });
    const variants: { prefix: string; v: boolean }[] =
      p.vInjection === 'both'
        ? [
            { prefix: '', v: true },
            { prefix: 'noV.', v: false },
          ]
        : [{ prefix: '', v: p.vInjection === 'as-scheduled' }];
    const per = chainPhases(turns.length, combined !== undefined);
    const values: Record<string, number> = {};
    const context: Record<string, string | number | boolean> = {
      turns: turns.length,
      method: p.method,
      steps: source.sampling.steps,
      source: source.kind,
      vInjection: p.vInjection,
      vBeta: turns[0]?.vInjection.beta ?? 0,
    };
    const images: RgbaImage[] = [];
    for (const [i, { prefix, v }] of variants.entries()) {
      const r = await runChain(
        {
          pack,
          source,
          turns: v ? turns : turns.map(withoutV),
          ...(combined ? { combined: v ? combined : withoutV(combined) } : {}),
          method: p.method,
          inverseGuidance: p.inverseGuidance,
          dilate: p.dilate,
          signal: ctx.signal,
          progress: ctx.progress,
        },
        i * per,
        variants.length * per,
      );
      if (i === 0) images.push(r.original);
      images.push(...batch(r));
      const f = figures(r, prefix);
      Object.assign(values, f.values);
      Object.assign(context, f.context);
    }
    const metrics: MetricsValue = { kind: 'chain', values, context };
    return { metrics, images: { images } };
  },
  summarize: ({ metrics }) => ({ ...metrics.values, ...metrics.context }),
});
