import { NodeRunError } from '@ptp/graph-core';
import { AttentionRecorder } from '../edit/attentionRecorder.js';
import { denoise } from '../pipeline/denoise.js';
import { encodeText } from '../pipeline/encodeText.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import type { AttentionValue } from '../values.js';

export interface InvertLatentOptions {
  pack: ModelPack;
  /** The encoded image z*_0, [1, C, h, w] (already multiplied by the VAE scaling factor). */
  latent: Float32Array;
  latentDims: readonly [1, number, number, number];
  prompt: string;
  /** Unconditional text while inverting (""; only used when guidance != 1). */
  negativeText?: string;
  steps: number;
  /** 1 in the standard method: the conditional prediction alone. */
  guidance: number;
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
}

export interface InvertLatentResult {
  /** z*_0 ... z*_S: the encoded image, then the latent after each inverse step (inversion order). */
  latents: Float32Array[];
  /** Cross-attention of the prompt recorded while inverting. */
  attention: AttentionValue;
}

/**
 * DDIM inversion (docs/algorithms.md section 6): DDIM run backwards from the image latent towards
 * noise with the source prompt, keeping every intermediate latent. Uses diffusers'
 * DDIMInverseScheduler (the pack provides it), so the forward DDIM of the same pack retraces the
 * same timesteps in reverse; the UNet sees each latent at the timestep it is moved to, as in
 * diffusers and the null-text inversion code.
 */
export async function invertLatent(o: InvertLatentOptions): Promise<InvertLatentResult> {
  const { pack } = o;
  if (!pack.createInverseScheduler)
    throw new NodeRunError(
      `this runner's pack "${pack.id}" offers no DDIM inverse scheduler, so it cannot invert images`,
      { input: 'model' },
    );
  const scheduler = pack.createInverseScheduler();
  const [, C, h, w] = o.latentDims;
  const context = await encodeText(pack, [o.negativeText ?? '', o.prompt]);
  const recorder = new AttentionRecorder(pack, 1, h, w);
  const latents: Float32Array[] = [o.latent.slice()];
  await denoise({
    pack,
    scheduler,
    steps: o.steps,
    guidance: o.guidance,
    latents: o.latent.slice(),
    latentDims: [1, C, h, w],
    context: context.data,
    contextDims: context.dims,
    attentionOutputs: recorder.outputs,
    onStep: ({ latents: x, attention }) => {
      recorder.record(attention);
      latents.push(x.slice());
    },
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.progress ? { progress: o.progress } : {}),
  });
  return { latents, attention: recorder.value([o.prompt]) };
}
