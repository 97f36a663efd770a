import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { INVERSION_METHODS } from '../values.js';
import { runCycle } from './runCycle.js';

export const cycleNode = defineNode({
  type: 'ptp.cycle',
  version: 1,
  title: 'Cycle A→B→A',
  category: 'edit',
  description:
    'Edits A into B, inverts B, edits it back with the mirrored schedule and reports how far the result is from A (PSNR, SSIM, latent mean absolute error).',
  inputs: {
    model: { type: 'MODEL' },
    source: { type: 'SOURCE', description: 'A: a generated or inverted source' },
    edit: { type: 'SCHEDULE', description: 'the edit A -> B' },
  },
  outputs: {
    metrics: { type: 'METRICS' },
    images: { type: 'IMAGE', description: "A, B and A'" },
    latent: { type: 'LATENT', description: "A' latent" },
  },
  params: z.object({
    method: z.enum(INVERSION_METHODS).default('direct').meta({ description: 'how B is inverted before the way back' }),
    reencode: z.boolean().default(true).meta({
      description: 'decode B to pixels and encode it again before inverting, as editing a saved picture would',
    }),
    inverseGuidance: z.number().min(0).max(30).default(1).meta({ step: 0.5 }),
  }),
  run: async ({ model: pack, source, edit }, p, ctx) => {
    if (source.packId !== pack.id)
      throw new NodeRunError(`the source was made with pack "${source.packId}", not "${pack.id}"`, { input: 'source' });
    const r = await runCycle({
      pack,
      source,
      edit,
      method: p.method,
      reencode: p.reencode,
      inverseGuidance: p.inverseGuidance,
      signal: ctx.signal,
      progress: ctx.progress,
    });
    return {
      metrics: r.metrics,
      images: r.images,
      latent: { data: r.latent, dims: source.latentDims, packId: pack.id },
    };
  },
  summarize: ({ metrics }) => ({ ...metrics.values, ...metrics.context }),
});
