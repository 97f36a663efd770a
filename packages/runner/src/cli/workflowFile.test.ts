import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodePng } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from './testCli.js';

// `ptp run` / `validate` given a studio PNG read the workflow it embeds, as `ptp extract` does.
const dir = mkdtempSync(path.join(tmpdir(), 'ptp-png-workflow-'));
const workflow = readFileSync(path.join(repoRoot, 'examples/tiny-word-swap.json'), 'utf8');
const png = (name: string, text: Record<string, string>) => {
  const file = path.join(dir, name);
  writeFileSync(file, encodePng({ width: 2, height: 2, rgba: new Uint8Array(16).fill(200) }, text));
  return file;
};

describe('a studio PNG as the workflow file', () => {
  it('validate reads the embedded workflow; a PNG without one is said in words, not as bad JSON', async () => {
    const studio = png('studio.png', { workflow });
    const ok = await cli('validate', studio);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain(`ok ${studio}`);

    const plain = png('plain.png', { Software: 'elsewhere' });
    const r = await cli('validate', plain, '--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { errors: { code: string; message: string }[] };
    expect(report.errors.map((e) => e.code)).toEqual(['INVALID_DOCUMENT']);
    expect(report.errors[0]!.message).toContain('is a PNG that carries no workflow');
    // Nothing of the image's bytes reaches the terminal.
    expect(r.out).not.toMatch(/IHDR|INVALID_JSON|\uFFFD/);
  });

  it('run runs the embedded workflow; a PNG without one is refused before anything is written', async () => {
    const out = path.join(dir, 'out');
    const r = await cli('run', png('edit.png', { workflow }), '--out', out, '--set', 'capture.steps=2');
    expect(r.code, r.err).toBe(0);
    expect(existsSync(path.join(out, 'summary.json'))).toBe(true);

    const none = path.join(dir, 'none');
    const refused = await cli('run', png('bare.png', {}), '--out', none);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^error INVALID_DOCUMENT: .*bare\.png is a PNG that carries no workflow/);
    expect(existsSync(none)).toBe(false);
  });
});
