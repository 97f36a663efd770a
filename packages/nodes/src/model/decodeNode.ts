import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { decodeLatents } from '../pipeline/decodeLatents.js';

export const decodeNode = defineNode({
  type: 'ptp.decode',
  version: 1,
  title: 'Decode',
  category: 'image',
  description: 'VAE-decodes latents into images.',
  inputs: { model: { type: 'MODEL' }, latent: { type: 'LATENT' } },
  outputs: { image: { type: 'IMAGE' } },
  params: z.object({}),
  run: async ({ model, latent }) => {
    if (latent.packId !== model.id)
      throw new NodeRunError(`latents come from pack "${latent.packId}" but the model is "${model.id}"`, {
        input: 'latent',
      });
    return { image: await decodeLatents(model, latent.data, latent.dims) };
  },
  summarize: ({ image }) => ({
    images: image.images.length,
    width: image.images[0]?.width,
    height: image.images[0]?.height,
  }),
});
