import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPngText } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { main } from '../cli/main.js';

describe('ptp quality --world scenes', () => {
  it('prints per-object figures, count, background and attention IoU against the bars, writes quality.json', async () => {
    let out = '';
    let err = '';
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-scenes-quality-'));
    const code = await main(
      [
        'quality',
        '--pack',
        'tiny-random',
        '--world',
        'scenes',
        '--samples',
        '3',
        '--steps',
        '2',
        '--batch',
        '3',
        '--iou-scenes',
        '2',
        '--out',
        dir,
        '--fail-below',
      ],
      { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) },
    );
    expect(code, err).toBe(1); // an untrained pack is below the bars
    // It says which: the attention IoU of a random pack is far below 0.5, whatever else passes.
    expect(err).toMatch(/^below the bar: (\w+, )*attentionIoU(, \w+)* \(--fail-below\)$/m);
    expect(out).toContain('pack tiny-random: 3 scenes, 2 steps, guidance 7.5');
    expect(out).toMatch(/\| object colour +\| [\d.]+% +\| \d+ +\| >= 90% \| (PASS|below) \|/);
    expect(out).toMatch(/\| object shape +\| [\d.]+% +\| \d+ +\| >= 80% \|/);
    expect(out).toMatch(/\| object count +\| [\d.]+% +\| 3 +\| >= 90% \|/);
    expect(out).toMatch(/\| background +\| [\d.]+% +\| 3 +\| >= 95% \|/);
    expect(out).toMatch(/\| attention IoU \(mean\) \| [\d.]+ +\| \d+ +\| >= 0.5 +\|/);
    expect(out).toMatch(/\| IoU of colour words +\| [\d.]+ +\| \d+ +\| - +\|/);
    const json = JSON.parse(readFileSync(path.join(dir, 'quality.json'), 'utf8'));
    expect(json).toMatchObject({ pack: 'tiny-random', samples: 3, overall: { count: { n: 3 } } });
    expect(json.attentionIoU.scenes).toBe(2);
    expect(json.rates.attentionIoU).toBe(json.attentionIoU.mean);
    expect(readPngText(new Uint8Array(readFileSync(path.join(dir, 'samples.png')))).ok).toBe(true);
  }, 60_000);

  it('refuses an unknown world', async () => {
    let err = '';
    expect(await main(['quality', '--world', 'moon'], { out: () => {}, err: (t) => (err += t) })).toBe(2);
    expect(err).toContain('--world must be one of auto, shapes, scenes');
  });
});
