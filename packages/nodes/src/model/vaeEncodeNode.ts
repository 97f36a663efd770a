import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { encodeImages } from '../pipeline/encodeImages.js';

export const vaeEncodeNode = defineNode({
  type: 'ptp.vaeEncode',
  version: 1,
  title: 'VAE encode',
  category: 'image',
  description:
    "Encodes images into latents with the pack's VAE encoder (posterior mean, times the pack's scaling factor).",
  inputs: { model: { type: 'MODEL' }, image: { type: 'IMAGE' } },
  outputs: { latent: { type: 'LATENT' } },
  params: z.object({}),
  run: async ({ model, image }) => {
    const { data, dims } = await encodeImages(model, image);
    return { latent: { data, dims, packId: model.id } };
  },
  summarize: ({ latent }) => ({ dims: latent.dims }),
});
