import type { ModelPack } from '../runtime/InferenceBackend.js';
import type { ImageBatch } from '../image/ImageBatch.js';

/** VAE-decodes latents [N, C, h, w] into 8-bit RGBA images (decoder output is [-1, 1]). */
export async function decodeLatents(
  pack: ModelPack,
  latents: Float32Array,
  dims: readonly number[],
): Promise<ImageBatch> {
  const scaled = new Float32Array(latents.length);
  const s = 1 / pack.vaeScalingFactor;
  for (let i = 0; i < latents.length; i++) scaled[i] = latents[i]! * s;
  const input = pack.vaeDecoder.inputNames[0]!;
  const out = await pack.vaeDecoder.run({ [input]: { type: 'float32', data: scaled, dims } });
  const sample = out.sample ?? out[pack.vaeDecoder.outputNames[0]!]!;
  const [n, c, H, W] = sample.dims as [number, number, number, number];
  const px = sample.data as Float32Array;
  const images = [];
  for (let b = 0; b < n; b++) {
    const rgba = new Uint8Array(H * W * 4);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = (y * W + x) * 4;
        for (let ch = 0; ch < 3; ch++) {
          const v = px[((b * c + Math.min(ch, c - 1)) * H + y) * W + x]!;
          // diffusers: (x / 2 + 0.5).clamp(0, 1) * 255, rounded.
          rgba[o + ch] = Math.round(Math.min(Math.max(v / 2 + 0.5, 0), 1) * 255);
        }
        rgba[o + 3] = 255;
      }
    }
    images.push({ width: W, height: H, rgba });
  }
  return { images };
}
