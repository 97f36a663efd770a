import { createHash } from 'node:crypto';
import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { MemoryUploadStore, type UploadStore } from '../runtime/UploadStore.js';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import { encodePng } from './encodePng.js';
import type { ImageBatch, RgbaImage } from './ImageBatch.js';
import { loadImageNode } from './loadImageNode.js';

/** 16x8: left half red, right half blue, opaque. */
const picture: RgbaImage = (() => {
  const [width, height] = [16, 8];
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) rgba.set(x < 8 ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * width + x) * 4);
  return { width, height, rgba };
})();
const record = (bytes: Uint8Array, name: string) => ({
  id: createHash('sha256').update(bytes).digest('hex'),
  name,
  mediaType: 'image/png',
  bytes,
});
const png = record(encodePng(picture), 'halves.png');
const junk = record(new TextEncoder().encode('not an image at all, just text'), 'notes.png');
const store = new MemoryUploadStore([png, junk]);

const load = (params: Record<string, unknown>, o: { uploads?: UploadStore; model?: boolean } = {}) =>
  loadImageNode.run({ model: o.model ? fakePack() : undefined }, loadImageNode.params.parse(params), {
    ...fakeContext(),
    resources: 'uploads' in o ? { uploads: o.uploads } : { uploads: store },
  }) as Promise<{ image: ImageBatch }>;
const px = (im: RgbaImage, x: number, y: number) =>
  Array.from(im.rgba.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 4));

describe('Load image node', () => {
  it('decodes the uploaded PNG and brings it to the asked size (stretch and centre crop)', async () => {
    const stretched = (await load({ upload: png.id, resize: 'stretch', width: 8, height: 8 })).image.images;
    expect(stretched).toHaveLength(1);
    const im = stretched[0]!;
    expect([im.width, im.height]).toEqual([8, 8]);
    expect(px(im, 0, 0)).toEqual([255, 0, 0, 255]);
    expect(px(im, 7, 7)).toEqual([0, 0, 255, 255]);
    // Centre crop of 16x8 to 8x8 keeps the middle: red on the left edge, blue on the right.
    const cropped = (await load({ upload: png.id, width: 8, height: 8 })).image.images[0]!;
    expect([px(cropped, 0, 4), px(cropped, 7, 4)]).toEqual([
      [255, 0, 0, 255],
      [0, 0, 255, 255],
    ]);
  });

  it("takes the connected model's image size when width and height are 0, and needs one or the other", async () => {
    const im = (await load({ upload: png.id }, { model: true })).image.images[0]!;
    expect([im.width, im.height]).toEqual([32, 32]);
    const err = await load({ upload: png.id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ param: 'width', code: 'INVALID_PARAM' });
  });

  it('names the upload param for a missing choice, store, record or an undecodable file', async () => {
    const fail = (params: Record<string, unknown>, o?: { uploads?: UploadStore }) =>
      load({ width: 8, height: 8, ...params }, o).catch((e: unknown) => e);
    expect(await fail({})).toMatchObject({ param: 'upload', code: 'INVALID_PARAM' });
    expect(await fail({ upload: png.id }, { uploads: undefined })).toMatchObject({
      param: 'upload',
      code: 'RESOURCE_MISSING',
    });
    expect(await fail({ upload: 'a'.repeat(64) })).toMatchObject({ param: 'upload', code: 'UPLOAD_NOT_FOUND' });
    const bad = await fail({ upload: junk.id });
    expect(bad).toBeInstanceOf(NodeRunError);
    expect(bad).toMatchObject({ param: 'upload', message: expect.stringContaining('notes.png') });
    expect(loadImageNode.params.safeParse({ upload: '../secret.png' }).success).toBe(false);
    // No choice is also said before any run (the editor, ptp validate, the server).
    const params = (p: object) => loadImageNode.params.parse(p);
    expect(loadImageNode.check!({}, params({}))).toEqual([{ message: 'choose an uploaded image', param: 'upload' }]);
    expect(loadImageNode.check!({}, params({ upload: png.id }))).toEqual([]);
  });
});
