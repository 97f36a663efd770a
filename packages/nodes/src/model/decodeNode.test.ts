import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import type { ImageBatch } from '../image/ImageBatch.js';
import { decodeNode } from './decodeNode.js';

const pack = fakePack(); // VAE scale 4, scaling factor 0.5; its decoder upsamples latent channels 0..2 to RGB
const decode = async (data: Float32Array, dims: [number, number, number, number], packId = 'fake') =>
  (await decodeNode.run(
    { model: pack, latent: { data, dims, packId } },
    decodeNode.params.parse({}),
    fakeContext(),
  )) as { image: ImageBatch };

describe('Decode node', () => {
  it('divides by the scaling factor, runs the VAE decoder and maps [-1, 1] to 8-bit RGBA (diffusers rounding, clamped)', async () => {
    // 2 items, 4 channels, 1x2 latent cells; channel 3 is not shown by the fake decoder.
    const latent = Float32Array.from([
      0, 0.5, /* ch1 */ -0.5, 0.25, /* ch2 */ 0.1, -2, /* ch3 */ 9, 9, 0.5, 0.5, /* ch1 */ 0.5, 0.5, /* ch2 */ 0.5, 0.5,
      /* ch3 */ 0, 0,
    ]);
    const { image } = await decode(latent, [2, 4, 1, 2]);
    expect(pack.vaeDecoder.calls.at(-1)!.latent_sample!.data).toEqual(latent.map((v) => v / 0.5));
    expect(image.images).toHaveLength(2);
    const [a, b] = image.images;
    expect([a!.width, a!.height]).toEqual([8, 4]);
    // Left cell of item 0: decoder values (0, -1, 0.2) -> round((v / 2 + 0.5) * 255).
    expect(Array.from(a!.rgba.subarray(0, 4))).toEqual([128, 0, 153, 255]);
    // Right cell (x >= 4): (1, 0.5, -4) -> 255, 191, clamped to 0.
    expect(Array.from(a!.rgba.subarray(4 * 4, 4 * 4 + 4))).toEqual([255, 191, 0, 255]);
    expect(new Set(b!.rgba)).toEqual(new Set([255]));
    expect(decodeNode.summarize!({ image })).toEqual({ images: 2, width: 8, height: 4 });
  });

  it('refuses latents made with another pack, naming the input', async () => {
    const err = await decode(new Float32Array(4), [1, 4, 1, 1], 'tiny-shapes').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ input: 'latent', message: expect.stringContaining('"tiny-shapes"') });
  });
});
