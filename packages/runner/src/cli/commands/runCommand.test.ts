import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../testCli.js';

// `ptp run --count/--seeds/--rows`: the editor's Batch… headless, on the bundled tiny pack.
const wordSwap = path.join(repoRoot, 'examples/tiny-word-swap.json');
const paramsOf = (dir: string) => {
  const summary = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')) as {
    nodes: { id: string; params: Record<string, unknown> }[];
  };
  const p = (id: string) => summary.nodes.find((n) => n.id === id)!.params;
  return `${p('source').text} -> ${p('target1').text} @ ${p('capture').seed}`;
};

describe('ptp run, node modes', () => {
  it('a muted Decode: Save image falls silent (said before the run), the attention viewer still writes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-mute-'));
    const doc = JSON.parse(readFileSync(wordSwap, 'utf8')) as { nodes: { id: string; mode?: string }[] };
    doc.nodes.find((n) => n.id === 'decode')!.mode = 'mute';
    const file = path.join(dir, 'muted.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = path.join(dir, 'out');
    const r = await cli('run', file, '--out', out, '--set', 'capture.steps=2');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain('note: save does not run: required input "image" comes from muted node "decode"');
    expect(readdirSync(out).sort()).toEqual(['attention.heatmaps.json', 'summary.json']);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as {
      nodes: { id: string; mode?: string }[];
    };
    expect(summary.nodes.find((n) => n.id === 'decode')!.mode).toBe('mute');
  });
});

describe('ptp run, batches', () => {
  it('runs every row at stepped seeds into 001, 002, ... with batch.json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-batch-'));
    const rows = path.join(dir, 'rows.csv');
    writeFileSync(rows, 'source.text,target1.text\na red circle,a blue circle\n"a green circle","a yellow circle"\n');
    const out = path.join(dir, 'out');
    const r = await cli('run', wordSwap, '--out', out, '--set', 'capture.steps=2', '--count', '2', '--rows', rows);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/ok: 4 runs, 12 file\(s\)/);
    const batch = JSON.parse(readFileSync(path.join(out, 'batch.json'), 'utf8')) as {
      runs: { label: string; dir: string; status: string; outputs: string[] }[];
    };
    expect(batch.runs.map((x) => [x.label, x.dir, x.status])).toEqual([
      ['row 1 · seed 7', '001', 'success'],
      ['row 1 · seed 8', '002', 'success'],
      ['row 2 · seed 7', '003', 'success'],
      ['row 2 · seed 8', '004', 'success'],
    ]);
    expect(['001', '002', '003', '004'].map((d) => paramsOf(path.join(out, d)))).toEqual([
      'a red circle -> a blue circle @ 7',
      'a red circle -> a blue circle @ 8',
      'a green circle -> a yellow circle @ 7',
      'a green circle -> a yellow circle @ 8',
    ]);
    // Different seeds make different pictures; the same row and seed twice would not.
    const png = (d: string) => readFileSync(path.join(out, d, 'word-swap_001.png'));
    expect(png('001').equals(png('002'))).toBe(false);
  });

  it('runs once per seed of a --seeds list, each labelled with its seed', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-seeds-')), 'out');
    const r = await cli('run', wordSwap, '--out', out, '--set', 'capture.steps=2', '--seeds', '42,3');
    expect(r.code, r.err).toBe(0);
    const batch = JSON.parse(readFileSync(path.join(out, 'batch.json'), 'utf8')) as { runs: { label: string }[] };
    expect(batch.runs.map((x) => x.label)).toEqual(['seed 42', 'seed 3']);
    expect(['001', '002'].map((d) => paramsOf(path.join(out, d)))).toEqual([
      'a red circle -> a blue circle @ 42',
      'a red circle -> a blue circle @ 3',
    ]);
  });

  it("a reused --out holds the new run's files only: the previous batch's folders and batch.json go", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-reuse-')), 'out');
    expect((await cli('run', wordSwap, '--out', out, '--set', 'capture.steps=2', '--count', '2')).code).toBe(0);
    writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const r = await cli('run', wordSwap, '--out', out, '--set', 'capture.steps=2', '--output', 'save');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/removed the previous run's \d+ file\(s\)/);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8')) as { outputs: string[] };
    expect(readdirSync(out).sort()).toEqual([...summary.outputs, 'notes.txt', 'summary.json'].sort());
  });

  it('names a bad row by row, node and param and runs nothing; refuses bad counts and seed modes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-batch-bad-'));
    const rows = path.join(dir, 'rows.csv');
    writeFileSync(rows, 'source.text,capture.steps\na red circle,many\na red square,\n');
    const out = path.join(dir, 'out');
    const r = await cli('run', wordSwap, '--out', out, '--rows', rows);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      'error INVALID_PARAM [node capture, param steps]: row 1, capture.steps takes a number, got "many"',
    );
    expect(existsSync(out)).toBe(false);
    // Valid rows, but a blend word the second row's prompt lacks: found by validating each run.
    writeFileSync(rows, 'source.text\na red circle\na red square\n');
    const v = await cli('run', wordSwap, '--out', out, '--rows', rows);
    expect(v.code).toBe(1);
    expect(v.err).toContain('row 2 · seed 7: "circle" not in the prompt "a red square"');
    expect(existsSync(out)).toBe(false);

    // A header without rows is said, not run once as the graph stands.
    writeFileSync(rows, 'source.text\n');
    const empty = await cli('run', wordSwap, '--out', out, '--rows', rows);
    expect([empty.code, empty.err]).toEqual([2, expect.stringContaining('has no rows under its header')]);
    // A --server run uses the server's packs: --packs is refused, not ignored.
    const remote = await cli('run', wordSwap, '--out', out, '--server', 'http://127.0.0.1:1', '--packs', dir);
    expect([remote.code, remote.err]).toEqual([2, expect.stringContaining('--packs is for local runs')]);
    expect(existsSync(out)).toBe(false);
    const typo = await cli('run', wordSwap, '--out', out, '--output', 'sav');
    expect([typo.code, typo.err]).toEqual([
      2,
      expect.stringContaining('no node "sav" in the workflow; did you mean "save"?'),
    ]);
    // Up to a node that is no output: it runs (exit 0), and the note says why no file came.
    const upTo = await cli('run', wordSwap, '--out', path.join(dir, 'up-to'), '--output', 'model');
    expect([upTo.code, upTo.err]).toEqual([
      0,
      expect.stringContaining('note: --output model: Load model is not an output node; it runs, but writes no file'),
    ]);

    expect((await cli('run', wordSwap, '--out', out, '--count', '101')).code).toBe(2);
    expect((await cli('run', wordSwap, '--out', out, '--seeds', 'sometimes')).err).toContain(
      '--seeds takes increment | random | fixed, or a list of seeds (7,8,9)',
    );
    const both = await cli('run', wordSwap, '--out', out, '--seeds', '1,2', '--count', '2');
    expect([both.code, both.err]).toEqual([2, expect.stringContaining('leave out --count')]);
    expect((await cli('run', wordSwap, '--out', out, '--seeds', '1,99999999999')).err).toContain(
      'over the largest seed',
    );
    expect(existsSync(out)).toBe(false);
  });
});

describe('ptp run, refusals', () => {
  it('refuses a --set of a param the node lacks or a value its schema refuses, before anything is written', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-set-')), 'out');
    const typo = await cli('run', wordSwap, '--out', out, '--set', 'capture.stepz=3');
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(
      /--set capture\.stepz=3: node "capture" \(ptp\.[\w.]+\) has no param "stepz"; its params: .*steps/,
    );
    const low = await cli('run', wordSwap, '--out', out, '--set', 'capture.steps=-5');
    expect(low.code).toBe(2);
    expect(low.err).toContain('capture.steps = -5: must be at least 1');
    expect((await cli('run', wordSwap, '--out', out, '--set', 'nosuch.steps=3')).err).toContain(
      'no node "nosuch" in the workflow',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('writes nothing for a run refused before any node ran, and says at once when --out is a file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-refused-'));
    const doc = JSON.parse(readFileSync(wordSwap, 'utf8')) as { nodes: { id: string; type: string }[] };
    doc.nodes.find((n) => n.id === 'source')!.type = 'ptp.noSuchNode';
    const file = path.join(dir, 'unknown.json');
    writeFileSync(file, JSON.stringify(doc));
    const out = path.join(dir, 'out');
    const r = await cli('run', file, '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/error UNKNOWN_NODE_TYPE \[node source/);
    expect(existsSync(out)).toBe(false);

    const asFile = path.join(dir, 'a-file.txt');
    writeFileSync(asFile, 'not a folder');
    const f = await cli('run', wordSwap, '--out', asFile);
    expect(f.code).toBe(2);
    expect(f.err).toContain(`--out ${asFile} is a file; --out takes a folder`);
    const inside = await cli('run', wordSwap, '--out', path.join(asFile, 'sub'));
    expect([inside.code, inside.err]).toEqual([
      2,
      `ptp run: --out ${path.join(asFile, 'sub')}: ${asFile} is a file, so no folder can be made in it\n`,
    ]);
    const packs = await cli('run', wordSwap, '--out', out, '--packs', path.join(dir, 'no-such-packs'));
    expect(packs.code).toBe(2);
    expect(packs.err).toContain(`--packs ${path.join(dir, 'no-such-packs')}: no such folder`);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(asFile, 'utf8')).toBe('not a folder');
  });
});

describe('ptp run, refused up front', () => {
  it('a model pack it would not find is UNKNOWN_PACK before any node runs: nothing written, as validate says', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-unknown-pack-'));
    const out = path.join(dir, 'out');
    const wrong = ['--set', 'model.pack=tiny-scens', '--set', 'capture.steps=2'];
    const r = await cli('run', wordSwap, '--out', out, ...wrong);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error UNKNOWN_PACK \[node model.*param pack\]: there is no model pack “tiny-scens” here/m);
    expect(r.err).not.toMatch(/NODE_FAILED/);
    expect(existsSync(out)).toBe(false);
    // A batch is refused whole, the same way.
    const batch = await cli('run', wordSwap, '--out', out, ...wrong, '--count', '2');
    expect(batch.code).toBe(1);
    expect(batch.err).toMatch(/UNKNOWN_PACK/);
    expect(existsSync(out)).toBe(false);
  });
});
