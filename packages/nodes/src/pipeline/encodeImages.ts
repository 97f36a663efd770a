import { NodeRunError } from '@ptp/graph-core';
import type { ImageBatch } from '../image/ImageBatch.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';

/**
 * VAE-encodes 8-bit images into latents [N, C, h, w] multiplied by the pack's scaling factor (the
 * inverse of decodeLatents). The encoder's output is either `latent_sample` (this project's packs
 * export the posterior mean there) or `latent_parameters` ([N, 2C, h, w]: mean then log-variance,
 * as optimum exports it); the mean is taken in both cases, so encoding is deterministic.
 */
export async function encodeImages(
  pack: ModelPack,
  batch: ImageBatch,
): Promise<{ data: Float32Array; dims: [number, number, number, number] }> {
  const encoder = pack.vaeEncoder;
  if (!encoder)
    throw new NodeRunError(`pack "${pack.id}" has no VAE encoder, so it cannot encode images`, { input: 'model' });
  const first = batch.images[0];
  if (!first) throw new NodeRunError('no image to encode', { input: 'image' });
  const { width: W, height: H } = first;
  if (batch.images.some((im) => im.width !== W || im.height !== H))
    throw new NodeRunError('all images of a batch must have the same size', { input: 'image' });
  if (W % pack.vaeScale !== 0 || H % pack.vaeScale !== 0) {
    throw new NodeRunError(
      `image is ${W}x${H}; this model needs sides that are multiples of ${pack.vaeScale} (resize it in Load image)`,
      { input: 'image' },
    );
  }
  const n = batch.images.length;
  const pixels = new Float32Array(n * 3 * H * W);
  batch.images.forEach((im, b) => {
    for (let p = 0; p < H * W; p++) {
      // diffusers' VaeImageProcessor: [0, 255] -> [-1, 1].
      for (let c = 0; c < 3; c++) pixels[(b * 3 + c) * H * W + p] = (im.rgba[p * 4 + c]! / 255) * 2 - 1;
    }
  });
  const input = encoder.inputNames[0]!;
  const out = await encoder.run({ [input]: { type: 'float32', data: pixels, dims: [n, 3, H, W] } });
  const name = ['latent_sample', 'latent_parameters'].find((k) => k in out) ?? encoder.outputNames[0]!;
  const t = out[name]!;
  const [, c2, h, w] = t.dims as [number, number, number, number];
  const C = pack.layout.latentChannels;
  if (c2 !== C && c2 !== 2 * C)
    throw new NodeRunError(`VAE encoder output "${name}" has ${c2} channels; the UNet takes ${C}`, { input: 'model' });
  const src = t.data as Float32Array;
  const data = new Float32Array(n * C * h * w);
  const s = pack.vaeScalingFactor;
  for (let b = 0; b < n; b++) {
    // With 2C channels the first C are the mean.
    for (let i = 0; i < C * h * w; i++) data[b * C * h * w + i] = src[b * c2 * h * w + i]! * s;
  }
  return { data, dims: [n, C, h, w] };
}
