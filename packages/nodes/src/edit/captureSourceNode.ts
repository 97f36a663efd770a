import { defineNode, NodeRunError } from '@ptp/graph-core';
import { memoryLimitOf } from '../pipeline/runMemory.js';
import { z } from 'zod';
import '../values.js';
import { latentSize, SamplingParams, stepsDefaultedTo50 } from '../model/textToImageNode.js';
import { checkPromptLength } from '../pipeline/checkPromptLength.js';
import { randn } from '../pipeline/randn.js';
import type { SourceValue } from '../values.js';
import { sampleEdits } from './sampleEdits.js';

export const captureSourceNode = defineNode({
  type: 'ptp.captureSource',
  version: 2,
  migrations: { 1: stepsDefaultedTo50 },
  title: 'Attention capture',
  category: 'edit',
  description:
    'Generates the source image and records its cross-attention maps per step; feeds edit samplers and the attention viewer.',
  inputs: {
    model: { type: 'MODEL' },
    prompt: { type: 'PROMPT' },
    negative: { type: 'PROMPT', optional: true },
    noise: { type: 'LATENT', optional: true, description: 'initial noise instead of the seeded one' },
  },
  outputs: { source: { type: 'SOURCE' }, latent: { type: 'LATENT' }, attention: { type: 'ATTENTION' } },
  params: z.object(SamplingParams),
  run: async ({ model: pack, prompt, negative, noise }, p, ctx) => {
    checkPromptLength(pack, prompt.text, 'prompt');
    if (negative) checkPromptLength(pack, negative.text, 'negative');
    const C = pack.layout.latentChannels;
    let dims: [1, number, number, number];
    let initialNoise: Float32Array;
    if (noise) {
      if (noise.dims[0] !== 1 || noise.dims[1] !== C)
        throw new NodeRunError(`noise must be [1, ${C}, h, w], got [${noise.dims.join(', ')}]`, { input: 'noise' });
      dims = [1, C, noise.dims[2], noise.dims[3]];
      initialNoise = noise.data;
    } else {
      const [h, w] = latentSize(pack, p.width, p.height);
      dims = [1, C, h, w];
      initialNoise = randn(C * h * w, p.seed);
    }
    const sampling = { steps: p.steps, guidance: p.guidance, scheduler: p.scheduler, seed: p.seed };
    const base = { prompt, negativeText: negative?.text ?? '', sampling, initialNoise, latentDims: dims };
    const run = await sampleEdits({
      pack,
      source: base,
      schedules: [],
      signal: ctx.signal,
      progress: ctx.progress,
      ...memoryLimitOf(ctx.resources),
    });
    const source: SourceValue = {
      kind: 'generated',
      packId: pack.id,
      ...base,
      trajectory: run.trajectory,
      attention: run.attention,
    };
    return { source, latent: { data: run.latents, dims: run.latentDims, packId: pack.id }, attention: run.attention };
  },
  summarize: ({ source }) => ({
    prompt: source.prompt.text,
    steps: source.trajectory.length,
    latent: source.latentDims,
  }),
});
