import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeImage, type RgbaImage } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { WasmImageDecoder } from './WasmImageDecoder.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/images');
const px = (im: RgbaImage, x: number, y: number) => [
  ...im.rgba.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 4),
];

describe('WebP through WasmImageDecoder', () => {
  const decoder = new WasmImageDecoder();

  it('decodes lossless WebP exactly (fixture drawn in Chromium, see fixtures/images/README.md)', async () => {
    const { header, image } = await decodeImage(
      new Uint8Array(readFileSync(path.join(fixtures, 'rects-24x16-lossless.webp'))),
      { decoder },
    );
    expect(header).toEqual({ mediaType: 'image/webp', width: 24, height: 16 });
    expect(px(image, 0, 0)).toEqual([0xf0, 0xf0, 0xf0, 255]);
    expect(px(image, 6, 6)).toEqual([0x20, 0x40, 0xe0, 255]);
    expect(px(image, 18, 10)).toEqual([0xe0, 0x20, 0x20, 255]);
  });

  it('decodes lossy WebP close to the drawn colours', async () => {
    const { image } = await decodeImage(new Uint8Array(readFileSync(path.join(fixtures, 'rects-24x16-lossy.webp'))), {
      decoder,
    });
    const near = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 12);
    expect(near(px(image, 7, 7), [0x20, 0x40, 0xe0, 255])).toBe(true);
    expect(near(px(image, 18, 8), [0xe0, 0x20, 0x20, 255])).toBe(true);
  });

  it('turns a damaged WebP into a structured error', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(fixtures, 'rects-24x16-lossy.webp')));
    const bad = bytes.slice();
    bad.fill(0, 40);
    await expect(decodeImage(bad, { decoder })).rejects.toMatchObject({ code: 'IMAGE_CORRUPT' });
    await expect(decodeImage(bytes.slice(0, bytes.length - 10), { decoder })).rejects.toMatchObject({
      code: 'IMAGE_TRUNCATED',
    });
  });
});
