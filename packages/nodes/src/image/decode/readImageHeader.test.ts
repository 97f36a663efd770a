import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../encodePng.js';
import { checkImageSize, ImageFileError, readImageHeader } from './readImageHeader.js';

const solid = (w: number, h: number) => ({ width: w, height: h, rgba: new Uint8Array(w * h * 4).fill(200) });

/** A structurally valid PNG whose IHDR claims any size (a decompression bomb's header). */
function pngClaiming(width: number, height: number): Uint8Array {
  const png = encodePng(solid(8, 8));
  const v = new DataView(png.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  return png; // CRC no longer matches: the header is read before any CRC check, as it must be
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof ImageFileError ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
}

describe('readImageHeader', () => {
  it('reads PNG and JPEG sizes', () => {
    expect(readImageHeader(encodePng(solid(40, 24)))).toEqual({ mediaType: 'image/png', width: 40, height: 24 });
    const jpg = new Uint8Array(encodeJpeg({ width: 33, height: 17, data: solid(33, 17).rgba }, 90).data);
    expect(readImageHeader(jpg)).toEqual({ mediaType: 'image/jpeg', width: 33, height: 17 });
  });

  it('refuses a 20000x20000 header as too large, before decoding', () => {
    const h = readImageHeader(pngClaiming(20000, 20000));
    expect(h).toMatchObject({ width: 20000, height: 20000 });
    expect(codeOf(() => checkImageSize(h))).toBe('IMAGE_TOO_LARGE');
    expect(codeOf(() => checkImageSize({ width: 1, height: 16_000_000 }))).toBe('IMAGE_TOO_SMALL');
    expect(codeOf(() => checkImageSize({ width: 8, height: 9000 }))).toBe('IMAGE_TOO_LARGE');
    expect(codeOf(() => checkImageSize({ width: 4096, height: 4096 }))).toBeUndefined();
  });

  it('refuses 1x1 as too small', () => {
    expect(codeOf(() => checkImageSize(readImageHeader(encodePng(solid(1, 1)))))).toBe('IMAGE_TOO_SMALL');
  });

  it('finds truncation anywhere in PNG and JPEG files', () => {
    const png = encodePng(solid(32, 32));
    for (const cut of [10, 30, 40, png.length - 20, png.length - 1])
      expect(
        codeOf(() => readImageHeader(png.slice(0, cut))),
        `cut ${cut}`,
      ).toBe('IMAGE_TRUNCATED');
    const jpg = new Uint8Array(encodeJpeg({ width: 32, height: 32, data: solid(32, 32).rgba }, 90).data);
    for (const cut of [4, 100, jpg.length - 2])
      expect(
        codeOf(() => readImageHeader(jpg.slice(0, cut))),
        `cut ${cut}`,
      ).toBe('IMAGE_TRUNCATED');
  });

  it('refuses other types by content, whatever their name', () => {
    const gif = new TextEncoder().encode('GIF89a\x01\x00\x01\x00');
    expect(codeOf(() => readImageHeader(gif))).toBe('UNSUPPORTED_IMAGE_TYPE');
    expect(codeOf(() => readImageHeader(new TextEncoder().encode('{"not": "an image"}')))).toBe(
      'UNSUPPORTED_IMAGE_TYPE',
    );
    expect(codeOf(() => readImageHeader(new Uint8Array(0)))).toBe('UNSUPPORTED_IMAGE_TYPE');
  });

  it('reads WebP headers (lossy, lossless, extended) and spots a short RIFF', () => {
    const riff = (chunk: string, body: number[]) => {
      const b = new Uint8Array(40);
      b.set(new TextEncoder().encode('RIFF'), 0);
      new DataView(b.buffer).setUint32(4, 32, true);
      b.set(new TextEncoder().encode(`WEBP${chunk}`), 8);
      b.set(body, 20);
      return b;
    };
    // VP8: frame tag (3), start code 9d 01 2a, then 14-bit width and height.
    expect(readImageHeader(riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 100, 0, 50, 0]))).toMatchObject({
      width: 100,
      height: 50,
    });
    // VP8L: 0x2f then (width-1) | (height-1) << 14.
    const bits = 99 | (49 << 14);
    expect(
      readImageHeader(riff('VP8L', [0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255, bits >>> 24])),
    ).toMatchObject({ width: 100, height: 50 });
    // VP8X: flags (4), then 24-bit width-1 and height-1.
    expect(readImageHeader(riff('VP8X', [0, 0, 0, 0, 0x1f, 0x4e, 0, 0x1f, 0x4e, 0]))).toMatchObject({
      width: 20000,
      height: 20000,
    });
    expect(codeOf(() => readImageHeader(riff('VP8 ', []).slice(0, 30)))).toBe('IMAGE_TRUNCATED');
  });
});
