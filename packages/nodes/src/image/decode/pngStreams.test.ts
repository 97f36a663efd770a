import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { encodePng } from '../encodePng.js';
import { pngIccpBomb, pngIdatBomb, pngTextBomb } from '../../testing/pngBombs.js';
import { decodeImage } from './decodeImage.js';
import { boundPngStreams, pngChunks, pngDataBytes } from './pngStreams.js';
import { ImageFileError } from './readImageHeader.js';

const ihdr = (w: number, h: number, depth: number, colour: number, interlace = 0) => {
  const b = new Uint8Array(13);
  const v = new DataView(b.buffer);
  v.setUint32(0, w);
  v.setUint32(4, h);
  b.set([depth, colour, 0, 0, interlace], 8);
  return b;
};

describe('PNG streams under a budget', () => {
  it('knows exactly how many bytes image data inflates to, interlaced or not', () => {
    expect(pngDataBytes(ihdr(64, 64, 8, 6))).toBe(64 * (1 + 64 * 4));
    expect(pngDataBytes(ihdr(10, 3, 1, 0))).toBe(3 * (1 + 2));
    expect(pngDataBytes(ihdr(16, 16, 16, 2))).toBe(16 * (1 + 16 * 6));
    // Adam7 on 8x8 RGB8: passes are 1x1, 1x1, 2x1, 2x2, 4x2, 4x4, 8x4.
    const passes = [
      [1, 1],
      [1, 1],
      [2, 1],
      [2, 2],
      [4, 2],
      [4, 4],
      [8, 4],
    ];
    expect(pngDataBytes(ihdr(8, 8, 8, 2, 1))).toBe(passes.reduce((n, [w, h]) => n + h! * (1 + w! * 3), 0));
    expect(() => pngDataBytes(ihdr(8, 8, 3, 2))).toThrow(ImageFileError);
  });

  it('refuses a file whose header says 64x64 but whose data inflates to 64 MiB, naming the limit', async () => {
    const bomb = pngIdatBomb(64, 64, 64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const err = await boundPngStreams(bomb).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageFileError);
    expect(err).toMatchObject({
      code: 'DECOMPRESSION_LIMIT',
      message: expect.stringMatching(/64x64 needs 16448 bytes/),
    });
    await expect(decodeImage(bomb)).rejects.toMatchObject({ code: 'DECOMPRESSION_LIMIT' });
  });

  it('never inflates ICC profiles or text: a bombed iCCP or zTXt still decodes to the right pixels', async () => {
    for (const file of [
      pngIccpBomb(32 * 1024 * 1024),
      pngTextBomb('zTXt', 32 * 1024 * 1024),
      pngTextBomb('iTXt', 32 * 1024 * 1024),
    ]) {
      const stripped = await boundPngStreams(file);
      expect(pngChunks(stripped).map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
      const { image } = await decodeImage(file);
      expect([image.width, image.height, image.rgba[0], image.rgba[3]]).toEqual([16, 16, 200, 200]);
    }
  });

  it('refuses image data cut short or with damaged rows, which a decoder would fail on later', async () => {
    // A 16x16 header over 10 bytes of data; a 4000x4000 one over 10 rows' worth.
    for (const [w, h, bytes] of [
      [16, 16, 10],
      [4000, 4000, 10 * (1 + 4000 * 4)],
    ] as const) {
      const err = await boundPngStreams(pngIdatBomb(w, h, bytes)).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'IMAGE_TRUNCATED',
        message: `PNG image data holds ${bytes} of the ${pngDataBytes(ihdr(w, h, 8, 6))} bytes its ${w}x${h} header needs (the file is cut short)`,
      });
    }
    const badFilter = pngIdatBomb(4, 4, 0, () => zlibSync(new Uint8Array(4 * (1 + 16)).fill(7)));
    await expect(boundPngStreams(badFilter)).rejects.toMatchObject({
      code: 'IMAGE_CORRUPT',
      message: 'PNG image data is damaged (row filter 7 at byte 0)',
    });
  });

  it('passes ordinary files through unchanged', async () => {
    const png = encodePng({ width: 9, height: 9, rgba: new Uint8Array(9 * 9 * 4).fill(7) });
    expect(await boundPngStreams(png)).toBe(png);
  });
});
