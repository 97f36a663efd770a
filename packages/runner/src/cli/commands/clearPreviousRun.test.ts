import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearPreviousRun } from './clearPreviousRun.js';

const folder = () => mkdtempSync(path.join(tmpdir(), 'ptp-clear-'));
const put = (file: string, text = 'x') => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

describe('clearPreviousRun', () => {
  it("removes only the files a run's summary.json lists (never a path outside the folder)", async () => {
    const root = folder();
    const out = path.join(root, 'out');
    put(path.join(out, 'a.png'));
    put(path.join(out, 'notes.txt'));
    put(path.join(root, 'keep.png'));
    put(
      path.join(out, 'summary.json'),
      JSON.stringify({ status: 'success', outputs: ['a.png', 'missing.png', '../keep.png'] }),
    );
    expect(await clearPreviousRun(out)).toBe(2);
    expect(readdirSync(out)).toEqual(['notes.txt']);
    expect(existsSync(path.join(root, 'keep.png'))).toBe(true);
  });

  it("removes a batch's listed files and its run folders once they are empty", async () => {
    const out = folder();
    put(path.join(out, '001', 'x.png'));
    put(path.join(out, '001', 'summary.json'));
    put(path.join(out, '002', 'x.png'));
    put(path.join(out, '002', 'summary.json'));
    put(path.join(out, '002', 'mine.txt'));
    put(path.join(out, 'other', 'x.png'));
    const run = (dir: string) => ({ label: '', dir, status: 'success', outputs: ['x.png'] });
    put(path.join(out, 'batch.json'), JSON.stringify({ workflow: {}, runs: [run('001'), run('002'), run('other')] }));
    expect(await clearPreviousRun(out)).toBe(5);
    expect(readdirSync(out).sort()).toEqual(['002', 'other']);
    expect(readdirSync(path.join(out, '002'))).toEqual(['mine.txt']);
  });

  it('leaves a folder alone when its reports are not ptp run reports', async () => {
    const out = folder();
    put(path.join(out, 'summary.json'), '{"mine": true}');
    put(path.join(out, 'batch.json'), 'not json');
    expect(await clearPreviousRun(out)).toBe(0);
    expect(await clearPreviousRun(path.join(out, 'missing'))).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['batch.json', 'summary.json']);
  });
});
