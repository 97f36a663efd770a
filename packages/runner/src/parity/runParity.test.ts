import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parityCommand } from '../cli/commands/parityCommand.js';
import { DEFAULT_REFERENCE_DIR } from './referenceCases.js';
import { runIsolated, type CaseResult } from './runParity.js';

/**
 * One case's error fails that case only. A reference folder beside the repo's toy pack with a good
 * case (the recorded `replace` run), a case.json that is not JSON, a case the nodes refuse, and a
 * three-prompt case whose latents hold two items; every case runs its first two UNet calls.
 */
const root = mkdtempSync(path.join(tmpdir(), 'ptp-parity-isolation-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
symlinkSync(path.join(DEFAULT_REFERENCE_DIR, 'toy-sd-pack'), path.join(root, 'toy-sd-pack'));
symlinkSync(path.join(DEFAULT_REFERENCE_DIR, 'tolerance.json'), path.join(root, 'tolerance.json'));
const replaceDir = path.join(DEFAULT_REFERENCE_DIR, 'public', 'replace');
const replace = JSON.parse(readFileSync(path.join(replaceDir, 'case.json'), 'utf8')) as {
  prompts: string[];
  shape: number[];
  token_ids: number[][];
};
function put(name: string, caseJson: string) {
  mkdirSync(path.join(root, name));
  writeFileSync(path.join(root, name, 'case.json'), caseJson);
  for (const step of ['00', '01'])
    symlinkSync(path.join(replaceDir, `latents_step${step}.f32`), path.join(root, name, `latents_step${step}.f32`));
}
put('a-good', JSON.stringify({ ...replace, name: 'a-good' }));
put('b-broken', '{ "name": ');
put(
  'c-node-error',
  JSON.stringify({
    ...replace,
    name: 'c-node-error',
    prompts: [replace.prompts[0], 'A painting of a big lion eating a burger'],
  }),
);
put(
  'd-three-vs-two',
  JSON.stringify({
    ...replace,
    name: 'd-three-vs-two',
    prompts: [...replace.prompts, replace.prompts[1]],
    shape: [3, 4, 64, 64],
    token_ids: [...replace.token_ids, replace.token_ids[1]],
  }),
);

const lines: string[] = [];
const io = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(`ERR ${t}`) };

describe('ptp parity: per-case failure isolation', () => {
  it('reports each broken case with its message, still runs the others, and exits 1', async () => {
    const code = await parityCommand([root, '--stop-after', '2'], io);
    expect(code).toBe(1);
    const row = (name: string) => lines.find((l) => l.includes(` ${name} `)) ?? '';
    expect(row('a-good')).toMatch(/^ok {3}a-good +max abs/);
    expect(row('b-broken')).toMatch(/^FAIL b-broken +case\.json: /);
    expect(row('c-node-error')).toMatch(/^FAIL c-node-error +.*word swap needs prompts with the same number of words/);
    expect(row('d-three-vs-two')).toMatch(
      /^FAIL d-three-vs-two +latents_step00\.f32 holds 32768 values, case\.json's shape 3x4x64x64 needs 49152/,
    );
    expect(lines.at(-1)).toMatch(/^1\/4 cases within .*; 3 failed with an error/);
  });

  it('--json carries each error, and --ref names the folder', async () => {
    lines.length = 0;
    const code = await parityCommand(
      ['--ref', root, '--stop-after', '1', '--case', 'a-good', '--case', 'b-broken', '--json'],
      io,
    );
    expect(code).toBe(1);
    const out = JSON.parse(lines.join('\n')) as { results: CaseResult[] };
    expect(out.results.map((r) => [r.name, r.ok, r.error?.slice(0, 10)])).toEqual([
      ['a-good', true, undefined],
      ['b-broken', false, 'case.json:'],
    ]);
  });

  it('a throw inside a case becomes that case result', async () => {
    const r = await runIsolated({ name: 'x', dir: root, case: {} as never }, () => Promise.reject(new Error('boom')));
    expect(r).toMatchObject({ name: 'x', ok: false, error: 'boom', steps: [] });
  });
});
