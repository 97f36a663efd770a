import { CACHE_BYTES, defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { requireBackend } from '../runtime/InferenceBackend.js';

export const loadModelNode = defineNode({
  type: 'ptp.loadModel',
  version: 1,
  title: 'Load model',
  category: 'model',
  description: 'A model pack the runner can see (text encoder, controllable UNet, VAE, tokenizer, scheduler).',
  inputs: {},
  outputs: { model: { type: 'MODEL' } },
  params: z.object({
    // Packs are named by id, never by path: graphs are data and must not reach the file system.
    pack: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'a pack id: lower-case letters, digits, ".", "_" or "-"')
      .default('tiny-scenes')
      .meta({ widget: 'pack' }),
  }),
  run: async (_inputs, p, ctx) => {
    const backend = requireBackend(ctx.backend);
    try {
      const pack = await backend.loadPack(p.pack);
      // The backend owns the sessions; the output cache only holds a handle.
      return { model: Object.assign(Object.create(pack) as typeof pack, { [CACHE_BYTES]: 1024 }) };
    } catch (err) {
      throw new NodeRunError((err as Error).message, { param: 'pack' });
    }
  },
  summarize: ({ model }) => ({
    pack: model.id,
    tokenLength: model.layout.tokenLength,
    layers: model.layout.layers.length,
  }),
});
