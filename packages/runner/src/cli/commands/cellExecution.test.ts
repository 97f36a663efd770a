import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../cliSupport.js';
import { checkExecutionValues, readPairsFile } from './cellExecution.js';

const base = { provider: 'cpu', 'save-images': false, 'in-flight': '64' };
const nodes = { 'source-node': 'source', 'target-node': 'target' };

describe('cellExecution (shared by ptp sweep and ptp tune)', () => {
  it('refuses an unknown provider and a non-positive --in-flight as usage errors', () => {
    expect(() => checkExecutionValues(base)).not.toThrow();
    expect(() => checkExecutionValues({ ...base, provider: 'tpu' })).toThrow(/--provider must be one of cpu/);
    for (const n of ['0', '-1', '1.5', 'many'])
      expect(() => checkExecutionValues({ ...base, 'in-flight': n })).toThrow(UsageError);
  });

  it('refuses --packs with --redis (the workers load their own packs) as a usage error naming both', () => {
    expect(() => checkExecutionValues({ ...base, packs: ['models/packs'] })).not.toThrow();
    expect(() => checkExecutionValues({ ...base, redis: 'redis://localhost:6379' })).not.toThrow();
    expect(() => checkExecutionValues({ ...base, packs: ['models/packs'], redis: 'redis://localhost:6379' })).toThrow(
      /--packs .*--redis.*ptp worker --packs/,
    );
  });

  it('reads a pairs file into prompt assignments and names the file and field of a bad one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ptp-pairs-'));
    const good = path.join(dir, 'pairs.json');
    await writeFile(good, JSON.stringify([{ source: 'a red circle', target: 'a blue circle' }]));
    const pairs = await readPairsFile(good, nodes);
    expect(pairs).toHaveLength(1);
    expect(pairs[0]!.assignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ node: 'source', value: 'a red circle' }),
        expect.objectContaining({ node: 'target', value: 'a blue circle' }),
      ]),
    );
    const notJson = path.join(dir, 'bad.json');
    await writeFile(notJson, '[{');
    await expect(readPairsFile(notJson, nodes)).rejects.toThrow(/bad\.json is not JSON/);
    const wrong = path.join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify([{ source: 3 }]));
    await expect(readPairsFile(wrong, nodes)).rejects.toThrow(/wrong\.json: 0\.source/);
    await expect(readPairsFile(path.join(dir, 'missing.json'), nodes)).rejects.toThrow(/cannot read .*: no such file/);
  });
});
