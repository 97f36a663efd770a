import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { checkPromptLength } from '../pipeline/checkPromptLength.js';
import { decodeLatents } from '../pipeline/decodeLatents.js';
import { INVERSION_METHODS } from '../values.js';
import { invertToSource } from './invertToSource.js';

export const invertNode = defineNode({
  type: 'ptp.invert',
  version: 1,
  title: 'Invert',
  category: 'edit',
  description:
    'DDIM-inverts an encoded real image with its source prompt (no gradients) into a SOURCE the edit sampler takes like a generated one.',
  inputs: {
    model: { type: 'MODEL' },
    latent: { type: 'LATENT', description: 'the encoded image (VAE encode)' },
    prompt: { type: 'PROMPT', description: 'the source prompt: what the image shows' },
    image: {
      type: 'IMAGE',
      optional: true,
      description: 'the picture itself, the reference for metrics (default: the decoded latent)',
    },
  },
  outputs: {
    source: { type: 'SOURCE' },
    noise: { type: 'LATENT', description: 'z*_S, the inverted noise' },
    attention: { type: 'ATTENTION' },
  },
  params: z.object({
    method: z.enum(INVERSION_METHODS).default('direct').meta({
      description:
        'ddim: plain inversion; negative-prompt: the source prompt replaces the null text when editing; direct: the source branch follows the inverted latents exactly (Direct Inversion)',
    }),
    steps: z.number().int().min(1).max(500).default(50),
    guidance: z
      .number()
      .min(0)
      .max(30)
      .default(7.5)
      .meta({ step: 0.5, description: 'guidance the edits are sampled with' }),
    inverseGuidance: z
      .number()
      .min(0)
      .max(30)
      .default(1)
      .meta({ step: 0.5, description: 'guidance while inverting (1 = standard DDIM inversion)' }),
  }),
  run: async ({ model: pack, latent, prompt, image }, p, ctx) => {
    if (latent.packId !== pack.id)
      throw new NodeRunError(`latents come from pack "${latent.packId}" but the model is "${pack.id}"`, {
        input: 'latent',
      });
    if (latent.dims[0] !== 1)
      throw new NodeRunError(`invert one image at a time (got a batch of ${latent.dims[0]})`, { input: 'latent' });
    if (latent.dims[1] !== pack.layout.latentChannels)
      throw new NodeRunError(`latent has ${latent.dims[1]} channels; the model takes ${pack.layout.latentChannels}`, {
        input: 'latent',
      });
    checkPromptLength(pack, prompt.text, 'prompt');
    const dims: [1, number, number, number] = [1, latent.dims[1], latent.dims[2], latent.dims[3]];
    let reference = image?.images[0];
    if (
      image &&
      (image.images.length !== 1 ||
        reference!.width !== latent.dims[3] * pack.vaeScale ||
        reference!.height !== latent.dims[2] * pack.vaeScale)
    ) {
      throw new NodeRunError('the image must be the one picture the latent encodes (same size)', { input: 'image' });
    }
    reference ??= (await decodeLatents(pack, latent.data, dims)).images[0]!;
    const source = await invertToSource({
      pack,
      latent: latent.data,
      latentDims: dims,
      image: reference,
      prompt,
      method: p.method,
      steps: p.steps,
      guidance: p.guidance,
      inverseGuidance: p.inverseGuidance,
      signal: ctx.signal,
      progress: ctx.progress,
    });
    return {
      source,
      noise: { data: source.inversion.latents[p.steps]!, dims, packId: pack.id },
      attention: source.attention,
    };
  },
  summarize: ({ source }) => ({
    prompt: source.prompt.text,
    method: source.kind === 'inverted' ? source.inversion.method : 'generated',
    steps: source.sampling.steps,
  }),
});
