import { NodeRunError } from '@ptp/graph-core';
import { sampleEdits } from '../edit/sampleEdits.js';
import type { ImageBatch, RgbaImage } from '../image/ImageBatch.js';
import { meanAbsError, psnr, ssim } from '../metrics/imageMetrics.js';
import { decodeLatents } from '../pipeline/decodeLatents.js';
import { encodeImages } from '../pipeline/encodeImages.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import type { InversionMethod, MetricsValue, ScheduleSpec, SourceValue } from '../values.js';
import { invertToSource } from './invertToSource.js';
import { mirrorSchedule } from './mirrorSchedule.js';

export interface RunCycleOptions {
  pack: ModelPack;
  /** Image A: generated, or a real image inverted. */
  source: SourceValue;
  /** The edit A -> B; the way back uses its mirror. */
  edit: ScheduleSpec;
  /** How B is inverted. */
  method: InversionMethod;
  /** Decode B to pixels and encode it again before inverting (what a user editing the saved picture does). */
  reencode: boolean;
  inverseGuidance: number;
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
}

export interface CycleResult {
  metrics: MetricsValue;
  /** A (the reference), B (the edit), A' (after the way back). */
  images: ImageBatch;
  /** A' latent [1, C, h, w]. */
  latent: Float32Array;
}

/** The image and latent A is compared with: the real picture and its encoding, or the generated result. */
function reference(
  pack: ModelPack,
  source: SourceValue,
): Promise<{ image: RgbaImage; latent: Float32Array }> | { image: RgbaImage; latent: Float32Array } {
  if (source.kind === 'inverted') return { image: source.image, latent: source.inversion.latents[0]! };
  const latent = source.trajectory.at(-1);
  if (!latent) throw new NodeRunError('the source has no sampled latent', { input: 'source' });
  return decodeLatents(pack, latent, source.latentDims).then((b) => ({ image: b.images[0]!, latent }));
}

const item = (latents: Float32Array, n: number, size: number): Float32Array => latents.slice(n * size, (n + 1) * size);

/**
 * Cycle consistency (docs/algorithms.md section 5): edit A -> B, invert B with B's prompt, edit B -> A
 * with the mirrored schedule, and measure how far A' is from A: PSNR and SSIM of the images
 * (against the picture, and against its decoded latent, i.e. without the VAE's own error), mean
 * absolute error of the latents and of the pixels (0..255).
 */
export async function runCycle(o: RunCycleOptions): Promise<CycleResult> {
  const { pack, source, edit } = o;
  const S = source.sampling.steps;
  const phase = (k: number) => (o.progress ? (v: number) => o.progress!(k * S + v, 3 * S) : undefined);
  const withProgress = (k: number) => (o.progress ? { progress: (v: number) => phase(k)!(v) } : {});
  const signal = o.signal ? { signal: o.signal } : {};
  const ref = await reference(pack, source);
  const size = source.initialNoise.length;

  const forward = await sampleEdits({ pack, source, schedules: [edit], ...signal, ...withProgress(0) });
  const bLatent = item(forward.latents, 1, size);
  const bImage = (await decodeLatents(pack, bLatent, source.latentDims)).images[0]!;
  const bEncoded = o.reencode ? (await encodeImages(pack, { images: [bImage] })).data : bLatent;

  const sourceB = await invertToSource({
    pack,
    latent: bEncoded,
    latentDims: source.latentDims,
    image: bImage,
    prompt: edit.target,
    method: o.method,
    steps: S,
    guidance: source.sampling.guidance,
    inverseGuidance: o.inverseGuidance,
    ...signal,
    ...withProgress(1),
  });
  const back = await sampleEdits({
    pack,
    source: sourceB,
    schedules: [mirrorSchedule(edit)],
    ...signal,
    ...withProgress(2),
  });
  const aLatent = item(back.latents, 1, size);
  const aImage = (await decodeLatents(pack, aLatent, source.latentDims)).images[0]!;
  // The best this pack can do is the decoded original latent: comparing with it separates the
  // cycle's own error from the VAE's.
  const decodedRef =
    source.kind === 'inverted' ? (await decodeLatents(pack, ref.latent, source.latentDims)).images[0]! : ref.image;

  const metrics: MetricsValue = {
    kind: 'cycle',
    values: {
      psnr: psnr(ref.image, aImage),
      ssim: ssim(ref.image, aImage),
      psnrVsDecoded: psnr(decodedRef, aImage),
      ssimVsDecoded: ssim(decodedRef, aImage),
      latentMae: meanAbsError(ref.latent, aLatent),
      pixelMae: meanAbsError(ref.image, aImage),
      // How far the edit moved the picture (a cycle through an edit that changed nothing is trivially consistent).
      editPsnr: psnr(ref.image, bImage),
    },
    context: {
      source: source.kind,
      method: o.method,
      reencode: o.reencode,
      vInjection: edit.vInjection.beta > 0,
      vBeta: edit.vInjection.beta,
      mode: edit.mode,
      steps: S,
      guidance: source.sampling.guidance,
    },
  };
  return { metrics, images: { images: [ref.image, bImage, aImage] }, latent: aLatent };
}
