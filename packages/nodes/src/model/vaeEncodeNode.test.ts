import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import type { ImageBatch, LatentBatch, RgbaImage } from '../image/ImageBatch.js';
import { decodeNode } from './decodeNode.js';
import { vaeEncodeNode } from './vaeEncodeNode.js';

/** A width x height picture of s x s blocks, each of one colour. */
function blocks(
  width: number,
  height: number,
  s: number,
  colour: (bx: number, by: number) => [number, number, number],
): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      rgba.set([...colour(Math.floor(x / s), Math.floor(y / s)), 255], (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

const encode = async (model: ReturnType<typeof fakePack>, images: RgbaImage[]) =>
  (await vaeEncodeNode.run({ model, image: { images } }, vaeEncodeNode.params.parse({}), fakeContext())) as {
    latent: LatentBatch;
  };

describe('VAE encode node', () => {
  it("maps pixels to [-1, 1], runs the encoder and multiplies by the pack's scaling factor", async () => {
    const pack = fakePack(); // 4 px per cell, scaling factor 0.5; the fake encoder averages each block
    const image = blocks(8, 4, 4, (bx) => (bx === 0 ? [255, 0, 51] : [0, 255, 255]));
    const { latent } = await encode(pack, [image]);
    expect(latent).toMatchObject({ dims: [1, 4, 1, 2], packId: 'fake' });
    const fed = pack.vaeEncoder!.calls[0]!.sample!;
    expect(fed.dims).toEqual([1, 3, 4, 8]);
    expect(fed.data[0]).toBe(1);
    expect(fed.data[4 * 8]).toBe(-1);
    // Channel c of cell 0 = 0.5 * (pixel / 255 * 2 - 1); channel 3 is the fake encoder's RGB mean.
    const expected = [1, -1, -0.6, -0.2].map((v) => v * 0.5);
    expected.forEach((v, c) => expect(latent.data[c * 2]).toBeCloseTo(v, 6));
  });

  it('round-trips through Decode for pictures the fake VAE can represent', async () => {
    const pack = fakePack();
    const images = [
      blocks(16, 8, 4, (bx, by) => [bx * 60, by * 200, 255 - bx * 40]),
      blocks(16, 8, 4, () => [10, 20, 30]),
    ];
    const { latent } = await encode(pack, images);
    expect(latent.dims).toEqual([2, 4, 2, 4]);
    const { image } = (await decodeNode.run({ model: pack, latent }, decodeNode.params.parse({}), fakeContext())) as {
      image: ImageBatch;
    };
    image.images.forEach((im, i) => {
      expect([im.width, im.height]).toEqual([16, 8]);
      im.rgba.forEach((v, k) =>
        expect(Math.abs(v - images[i]!.rgba[k]!), `image ${i} byte ${k}`).toBeLessThanOrEqual(1),
      );
    });
  });

  it('refuses packs without an encoder, empty batches, mixed sizes and sides that are not multiples of the cell', async () => {
    const img = blocks(8, 8, 4, () => [0, 0, 0]);
    const cases: [ReturnType<typeof fakePack>, RgbaImage[], string][] = [
      [fakePack({ vaeEncoder: false }), [img], 'model'],
      [fakePack(), [], 'image'],
      [fakePack(), [img, blocks(12, 8, 4, () => [0, 0, 0])], 'image'],
      [fakePack(), [blocks(10, 8, 4, () => [0, 0, 0])], 'image'],
    ];
    for (const [pack, images, input] of cases) {
      const err = await encode(pack, images).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NodeRunError);
      expect(err).toMatchObject({ input });
    }
  });
});
