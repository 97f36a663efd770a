import { defineNode, NodeRunError, type ParamMigration } from '@ptp/graph-core';
import { memoryLimitOf } from '../pipeline/runMemory.js';
import { z } from 'zod';
import '../values.js';
import { denoise } from '../pipeline/denoise.js';
import { encodeText } from '../pipeline/encodeText.js';
import { checkPromptLength } from '../pipeline/checkPromptLength.js';
import { randn } from '../pipeline/randn.js';
import { SCHEDULER_KINDS } from '../runtime/InferenceBackend.js';

export const SamplingParams = {
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(0)
    .meta({ widget: 'seed' }),
  steps: z.number().int().min(1).max(500).default(20),
  guidance: z.number().min(0).max(30).default(7.5).meta({ step: 0.5 }),
  scheduler: z
    .enum(SCHEDULER_KINDS)
    .default('pack')
    .meta({ description: '"pack" uses the scheduler the pack ships', advanced: true }),
  /** 0 = the pack's own size. Bounded: a huge size would exhaust memory on any runner. */
  width: z.number().int().min(0).max(2048).default(0).meta({ step: 8, advanced: true }),
  height: z.number().int().min(0).max(2048).default(0).meta({ step: 8, advanced: true }),
};

/**
 * v1 defaulted `steps` to 50; v2 defaults to 20 (what a new user should wait for). A v1 document
 * that left steps out meant 50 and keeps it.
 */
export const stepsDefaultedTo50: ParamMigration = (params) => ('steps' in params ? params : { ...params, steps: 50 });

export function latentSize(
  pack: { vaeScale: number; defaultImageSize: number },
  width: number,
  height: number,
): [number, number] {
  const w = width || pack.defaultImageSize;
  const h = height || pack.defaultImageSize;
  for (const [name, v] of [
    ['width', w],
    ['height', h],
  ] as const) {
    if (v % pack.vaeScale !== 0)
      throw new NodeRunError(`${name} ${v} must be a multiple of ${pack.vaeScale} for this model`, {
        param: name,
        code: 'INVALID_PARAM',
      });
  }
  return [h / pack.vaeScale, w / pack.vaeScale];
}

export const textToImageNode = defineNode({
  type: 'ptp.textToImage',
  version: 2,
  migrations: { 1: stepsDefaultedTo50 },
  title: 'Text to image',
  category: 'sampling',
  description: 'Generates latents from a prompt with classifier-free guidance (no edits).',
  inputs: { model: { type: 'MODEL' }, prompt: { type: 'PROMPT' }, negative: { type: 'PROMPT', optional: true } },
  outputs: { latent: { type: 'LATENT' } },
  params: z.object(SamplingParams),
  run: async ({ model: pack, prompt, negative }, p, ctx) => {
    checkPromptLength(pack, prompt.text, 'prompt');
    if (negative) checkPromptLength(pack, negative.text, 'negative');
    const [h, w] = latentSize(pack, p.width, p.height);
    const C = pack.layout.latentChannels;
    const scheduler = pack.createScheduler(p.scheduler);
    const context = await encodeText(pack, [negative?.text ?? '', prompt.text]);
    const noise = randn(C * h * w, p.seed);
    const latents = noise.map((v) => v * scheduler.initNoiseSigma);
    const ancestral = scheduler.needsNoise();
    const out = await denoise({
      pack,
      scheduler,
      steps: p.steps,
      guidance: p.guidance,
      latents,
      latentDims: [1, C, h, w],
      context: context.data,
      contextDims: context.dims,
      ...(ancestral ? { stepNoise: (i: number) => randn(C * h * w, (p.seed + 1 + i) >>> 0) } : {}),
      signal: ctx.signal,
      ...memoryLimitOf(ctx.resources),
      progress: ctx.progress,
    });
    return { latent: { data: out, dims: [1, C, h, w] as [number, number, number, number], packId: pack.id } };
  },
});
