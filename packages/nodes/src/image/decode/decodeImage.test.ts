import { encode as encodePngFast } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../ImageBatch.js';
import { encodePng } from '../encodePng.js';
import { decodeImage } from './decodeImage.js';
import { ImageFileError } from './readImageHeader.js';

function gradient(w: number, h: number): RgbaImage {
  const rgba = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) rgba.set([(p * 7) % 256, (p * 3) % 256, 255 - (p % 256), p % 2 ? 255 : 128], p * 4);
  return { width: w, height: h, rgba };
}

/** A valid 8x8 PNG whose IHDR claims another size. */
function pngClaiming(width: number, height: number): Uint8Array {
  const png = encodePng({ width: 8, height: 8, rgba: new Uint8Array(256).fill(200) });
  new DataView(png.buffer).setUint32(16, width);
  new DataView(png.buffer).setUint32(20, height);
  return png;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof ImageFileError ? e.code : `other: ${(e as Error).message}`;
  }
  return undefined;
}

describe('decodeImage', () => {
  it('decodes 8-bit RGBA PNG exactly', async () => {
    const img = gradient(20, 12);
    const { header, image } = await decodeImage(encodePng(img));
    expect(header).toEqual({ mediaType: 'image/png', width: 20, height: 12 });
    expect(image.rgba).toEqual(img.rgba);
  });

  it('decodes grey, grey+alpha, RGB and 16-bit PNGs to RGBA', async () => {
    const w = 9;
    const h = 8;
    const grey = Uint8Array.from({ length: w * h }, (_, i) => i * 3);
    const g = await decodeImage(encodePngFast({ width: w, height: h, data: grey, channels: 1, depth: 8 }));
    expect([...g.image.rgba.subarray(4 * 5, 4 * 6)]).toEqual([15, 15, 15, 255]);
    const ga = Uint8Array.from({ length: w * h * 2 }, (_, i) => (i % 2 ? 77 : i));
    const gaImg = await decodeImage(encodePngFast({ width: w, height: h, data: ga, channels: 2, depth: 8 }));
    expect([...gaImg.image.rgba.subarray(4 * 3, 4 * 4)]).toEqual([6, 6, 6, 77]);
    const rgb16 = Uint16Array.from({ length: w * h * 3 }, (_, i) => i * 256 + 255);
    const r16 = await decodeImage(encodePngFast({ width: w, height: h, data: rgb16, channels: 3, depth: 16 }));
    expect([...r16.image.rgba.subarray(4, 8)]).toEqual([3, 4, 5, 255]);
  });

  it('decodes JPEG within its compression error', async () => {
    const flat: RgbaImage = { width: 16, height: 16, rgba: new Uint8Array(16 * 16 * 4).fill(180) };
    const jpg = new Uint8Array(encodeJpeg({ width: 16, height: 16, data: flat.rgba }, 95).data);
    const { image } = await decodeImage(jpg);
    const worst = Math.max(...[...image.rgba].map((v, i) => (i % 4 === 3 ? 0 : Math.abs(v - 180))));
    expect(worst).toBeLessThanOrEqual(2);
    // Damaged scan data: said as such, not as the decoder's JavaScript fault.
    const damaged = jpg.slice();
    const sos = damaged.findIndex((b, i) => b === 0xff && damaged[i + 1] === 0xda);
    for (let i = sos + 14; i < damaged.length - 2; i++) damaged[i] = (i * 97) & 0xfe;
    await expect(decodeImage(damaged)).rejects.toMatchObject({
      code: 'IMAGE_CORRUPT',
      message: 'image/jpeg could not be decoded: unexpected marker: ffd9',
    });
    // A frame without its tables, then junk: the decoder faults reading them; said as damage.
    const tableless = Uint8Array.from([
      0xff, 0xd8, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xff,
      0xda, 0, 2, 1, 2, 3, 0xff, 0xd9,
    ]);
    await expect(decodeImage(tableless)).rejects.toMatchObject({
      code: 'IMAGE_CORRUPT',
      message: 'image/jpeg could not be decoded: its data is damaged',
    });
  });

  it('gives structured errors: truncated, 1x1, 20000x20000 header, wrong type, corrupt data', async () => {
    const png = encodePng(gradient(32, 32));
    expect(await codeOf(decodeImage(png.slice(0, png.length - 30)))).toBe('IMAGE_TRUNCATED');
    expect(await codeOf(decodeImage(encodePng(gradient(1, 1))))).toBe('IMAGE_TOO_SMALL');
    expect(await codeOf(decodeImage(pngClaiming(20000, 20000)))).toBe('IMAGE_TOO_LARGE');
    expect(await codeOf(decodeImage(new TextEncoder().encode('hello, not a picture')))).toBe('UNSUPPORTED_IMAGE_TYPE');
    const bad = png.slice();
    bad.fill(0x55, 60, 90); // inside IDAT: zlib or CRC fails
    expect(await codeOf(decodeImage(bad))).toBe('IMAGE_CORRUPT');
    // A header that claims more than the data holds: cut short, caught before decoding.
    expect(await codeOf(decodeImage(pngClaiming(16, 16)))).toBe('IMAGE_TRUNCATED');
  });

  it('asks the decoder resource for WebP and refuses WebP without one', async () => {
    const webp = new Uint8Array(40);
    webp.set(new TextEncoder().encode('RIFF'), 0);
    new DataView(webp.buffer).setUint32(4, 32, true);
    webp.set(new TextEncoder().encode('WEBPVP8L'), 8);
    const bits = 15 | (15 << 14);
    webp.set([0x2f, bits & 255, (bits >> 8) & 255, (bits >> 16) & 255, bits >>> 24], 20);
    expect(await codeOf(decodeImage(webp))).toBe('UNSUPPORTED_IMAGE_TYPE');
    const seen: string[] = [];
    const decoder = {
      mediaTypes: ['image/webp'],
      decode: async (_b: Uint8Array, t: string) => (seen.push(t), gradient(16, 16)),
    };
    const { image } = await decodeImage(webp, { decoder });
    expect(seen).toEqual(['image/webp']);
    expect(image.width).toBe(16);
    const liar = { mediaTypes: ['image/webp'], decode: async () => gradient(8, 8) };
    expect(await codeOf(decodeImage(webp, { decoder: liar }))).toBe('IMAGE_CORRUPT');
  });
});
