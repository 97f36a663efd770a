import { describe, expect, it } from 'vitest';
import { pngTextBomb } from '../testing/pngBombs.js';
import { encodePng } from './encodePng.js';
import { readPngText, readPngTextAsync } from './readPngText.js';

describe('readPngText', () => {
  it('reads the workflow a studio PNG carries', () => {
    const png = encodePng({ width: 8, height: 8, rgba: new Uint8Array(256) }, { workflow: '{"a":1}', prompt: 'x' });
    expect(readPngText(png)).toEqual({ ok: true, text: { workflow: '{"a":1}', prompt: 'x' } });
  });

  it('refuses compressed text that inflates past the budget (zTXt and iTXt), without throwing', () => {
    for (const kind of ['zTXt', 'iTXt'] as const) {
      const r = readPngText(pngTextBomb(kind, 16 * 1024 * 1024), 1024 * 1024);
      expect(r).toMatchObject({
        ok: false,
        code: 'DECOMPRESSION_LIMIT',
        message: expect.stringMatching(new RegExp(`PNG text chunk ${kind}.*1 MiB`)),
      });
    }
    // Under the budget the same kind of chunk reads fine.
    expect(readPngText(pngTextBomb('zTXt', 1000))).toMatchObject({ ok: true, text: { workflow: '\0'.repeat(1000) } });
  });

  it('answers data that is not a PNG with INVALID_IMAGE', () => {
    expect(readPngText(new TextEncoder().encode('{"nodes":[]}'))).toMatchObject({ ok: false, code: 'INVALID_IMAGE' });
  });

  it('reads the same asynchronously, yielding while it inflates, under the same budget', async () => {
    const png = encodePng({ width: 8, height: 8, rgba: new Uint8Array(256) }, { workflow: '{"a":1}' });
    expect(await readPngTextAsync(png)).toEqual(readPngText(png));
    const bomb = pngTextBomb('zTXt', 16 * 1024 * 1024);
    expect(await readPngTextAsync(bomb, 1024 * 1024)).toEqual(readPngText(bomb, 1024 * 1024));
    expect(await readPngTextAsync(bomb, 1024 * 1024)).toMatchObject({ ok: false, code: 'DECOMPRESSION_LIMIT' });
    expect(await readPngTextAsync(pngTextBomb('iTXt', 1000))).toMatchObject({
      ok: true,
      text: { workflow: '\0'.repeat(1000) },
    });
  });
});
