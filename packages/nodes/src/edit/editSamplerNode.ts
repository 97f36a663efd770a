import { defineNode, NodeRunError } from '@ptp/graph-core';
import { memoryLimitOf } from '../pipeline/runMemory.js';
import { z } from 'zod';
import '../values.js';
import { sampleEdits } from './sampleEdits.js';

export const editSamplerNode = defineNode({
  type: 'ptp.editSampler',
  version: 1,
  title: 'Edit sampler',
  category: 'edit',
  description:
    'Denoises the source and all its edits in one batch per step under their injection schedules and blends.',
  inputs: {
    model: { type: 'MODEL' },
    source: { type: 'SOURCE' },
    edits: { type: 'SCHEDULE', multi: true, description: 'one link per edit, in order' },
  },
  outputs: {
    latent: { type: 'LATENT', description: 'source then each edit' },
    attention: { type: 'ATTENTION' },
    trajectory: { type: 'ANY', description: 'latents of every item after each step' },
  },
  params: z.object({
    /** Bound on batch size: every edit doubles into the CFG batch. */
    maxEdits: z.number().int().min(1).max(16).default(8).meta({ advanced: true }),
  }),
  check: ({ edits }, p) =>
    edits === undefined
      ? []
      : edits.length === 0
        ? [{ message: 'connect at least one injection schedule', input: 'edits' }]
        : edits.length > p.maxEdits
          ? [{ message: `${edits.length} edits exceed maxEdits ${p.maxEdits}`, input: 'edits', param: 'maxEdits' }]
          : [],
  run: async ({ model: pack, source, edits }, p, ctx) => {
    if (source.packId !== pack.id)
      throw new NodeRunError(`the source was made with pack "${source.packId}", not "${pack.id}"`, { input: 'source' });
    const run = await sampleEdits({
      pack,
      source,
      schedules: edits,
      signal: ctx.signal,
      progress: ctx.progress,
      ...memoryLimitOf(ctx.resources),
    });
    return {
      latent: { data: run.latents, dims: run.latentDims, packId: pack.id },
      attention: run.attention,
      trajectory: run.trajectory,
    };
  },
  summarize: ({ latent, attention }) => ({ items: latent.dims[0], prompts: attention.prompts, steps: attention.steps }),
});
