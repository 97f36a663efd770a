import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measureQuality, readPngText } from '@ptp/nodes';
import { afterAll, describe, expect, it } from 'vitest';
import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import { main } from '../cli/main.js';

const backend = new OrtNodeBackend({ provider: 'cpu' });
afterAll(() => backend.release());

describe('quality measurement', () => {
  it('gives every sample the same picture whatever the batch size (batching is only a speed-up)', async () => {
    const pack = await backend.loadPack('tiny-random');
    const a = await measureQuality({ pack, samples: 5, steps: 2, guidance: 7.5, seed: 3, batch: 5 });
    const b = await measureQuality({ pack, samples: 5, steps: 2, guidance: 7.5, seed: 3, batch: 2 });
    expect(a.items.map((i) => i.caption)).toEqual(b.items.map((i) => i.caption));
    a.images.images.forEach((im, i) => {
      const other = b.images.images[i]!.rgba;
      let maxDiff = 0;
      for (let k = 0; k < im.rgba.length; k++) maxDiff = Math.max(maxDiff, Math.abs(im.rgba[k]! - other[k]!));
      expect(maxDiff, `sample ${i}`).toBeLessThanOrEqual(1);
    });
    expect(a.overall.colour.n).toBe(5);
  });

  it('ptp quality prints the table with n, bars and breakdowns, writes a contact sheet, and exits 1 below the bars with --fail-below', async () => {
    let out = '';
    let err = '';
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-quality-'));
    const code = await main(
      [
        'quality',
        '--pack',
        'tiny-random',
        '--samples',
        '6',
        '--steps',
        '2',
        '--batch',
        '3',
        '--out',
        dir,
        '--fail-below',
      ],
      { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) },
    );
    expect(code, err).toBe(1); // an untrained pack is below the bars
    expect(out).toContain('pack tiny-random: 6 samples, 2 steps, guidance 7.5');
    expect(out).toMatch(/\| colour +\| [\d.]+% +\| 6 +\| >= 90% \| (PASS|below) \|/);
    expect(out).toMatch(/\| shape +\| [\d.]+% +\| 6 +\| >= 80% \|/);
    expect(out).toMatch(/\| background +\| [\d.]+% +\| 6 +\| >= 95% \|/);
    expect(out).toMatch(/\| circle +\| [\d.]+% \(\d+\/2\)/);
    const json = JSON.parse(readFileSync(path.join(dir, 'quality.json'), 'utf8'));
    expect(json).toMatchObject({ pack: 'tiny-random', samples: 6, overall: { colour: { n: 6 } } });
    expect(readPngText(new Uint8Array(readFileSync(path.join(dir, 'samples.png')))).ok).toBe(true);
  });

  it('exits 2 on a bad option, 1 naming the pack when it is missing', async () => {
    let err = '';
    const io = { out: () => {}, err: (t: string) => (err += t) };
    expect(await main(['quality', '--samples', 'lots'], io)).toBe(2);
    expect(await main(['quality', '--pack', 'no-such-pack', '--samples', '1'], io)).toBe(1);
    expect(err).toContain('no-such-pack');
  });
});
