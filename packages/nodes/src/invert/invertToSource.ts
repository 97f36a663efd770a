import type { RgbaImage } from '../image/ImageBatch.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import type { InversionMethod, InvertedSource, PromptValue } from '../values.js';
import { invertLatent } from './invertLatent.js';

export interface InvertToSourceOptions {
  pack: ModelPack;
  latent: Float32Array;
  latentDims: readonly [1, number, number, number];
  /** The picture the latent encodes (reference for metrics). */
  image: RgbaImage;
  prompt: PromptValue;
  method: InversionMethod;
  steps: number;
  /** Guidance the edits will be sampled with. */
  guidance: number;
  /** Guidance while inverting (1 = standard). */
  inverseGuidance: number;
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
}

/**
 * Inverts an encoded image and packages it as a SOURCE for the edit sampler. The three methods
 * share the inversion and differ in how the source is then sampled:
 * - `ddim`: the source branch is regenerated from z*_S with the edit guidance (drifts when it is > 1);
 * - `negative-prompt` (Miyake et al. 2023): the source prompt replaces the null text as the
 *   unconditional branch, so the source branch sees guidance 1 whatever the guidance scale;
 * - `direct` (Ju et al. 2023): the source branch is pinned to z*_{t-1} after every step.
 */
export async function invertToSource(o: InvertToSourceOptions): Promise<InvertedSource> {
  const { pack, prompt } = o;
  const run = await invertLatent({
    pack,
    latent: o.latent,
    latentDims: o.latentDims,
    prompt: prompt.text,
    steps: o.steps,
    guidance: o.inverseGuidance,
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.progress ? { progress: o.progress } : {}),
  });
  const S = o.steps;
  const sigma = pack.createScheduler('ddim').initNoiseSigma;
  const noisiest = run.latents[S]!;
  return {
    kind: 'inverted',
    packId: pack.id,
    prompt,
    negativeText: o.method === 'negative-prompt' ? prompt.text : '',
    sampling: { steps: S, guidance: o.guidance, scheduler: 'ddim', seed: 0 },
    initialNoise: sigma === 1 ? noisiest : noisiest.map((v) => v / sigma),
    latentDims: o.latentDims,
    // Sampling order: after step i the source should hold z*_{S-1-i}; the last is z*_0.
    trajectory: run.latents.slice(0, S).reverse(),
    attention: run.attention,
    inversion: { method: o.method, guidance: o.inverseGuidance, latents: run.latents },
    image: o.image,
  };
}
