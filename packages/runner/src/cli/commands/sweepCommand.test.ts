import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseCsv } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../testCli.js';

describe('ptp sweep', () => {
  it('runs a 2x2 grid over a pair, writes results.csv/md and plot.svg, and resumes without recomputing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-sweep-cli-'));
    const pairs = path.join(dir, 'pairs.json');
    writeFileSync(
      pairs,
      JSON.stringify([
        {
          id: 'red-blue',
          source: 'a red circle on a white background',
          target: 'a blue circle on a white background',
          tags: { contrast: 'mid-dark' },
        },
      ]),
    );
    const out = path.join(dir, 'out');
    const args = [
      'sweep',
      path.join(repoRoot, 'examples/study-word-swap.json'),
      '--grid',
      'schedule.cross=0.2,0.8',
      '--grid',
      'schedule.self=0.2,1',
      '--grid',
      'capture.steps=2',
      '--pairs',
      pairs,
      '--out',
      out,
    ];
    const first = await cli(...args, '--max-cells', '3');
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/stopped: 3 computed, 0 already done, 0 failed, 1 left/);
    expect(first.err).toMatch(/\[#+\.*\] 3\/4/);
    expect(parseCsv(readFileSync(path.join(out, 'results.csv'), 'utf8')).rows).toHaveLength(1 + 3);

    const second = await cli(...args);
    expect(second.code, second.err).toBe(0);
    expect(second.out).toMatch(/4 cells \(1 computed, 3 already done, 0 failed\)/);
    const rows = parseCsv(readFileSync(path.join(out, 'results.csv'), 'utf8')).rows;
    expect(rows).toHaveLength(1 + 4);
    expect(rows[0]).toEqual(
      expect.arrayContaining([
        'key',
        'pair',
        'tag:contrast',
        'source.text',
        'schedule.cross',
        'schedule.self',
        'metrics.iou',
        'metrics.backgroundPsnr',
      ]),
    );
    const md = readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('4 of 4 cells finished');
    expect(md).toMatch(/\| schedule\.cross \| schedule\.self \| capture\.steps \| n \| metrics\.iou/);
    expect(md).toContain('## By contrast');
    const svg = readFileSync(path.join(out, 'plot.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('metrics.iou');
    expect(svg.match(/<polyline/g)?.length).toBeGreaterThanOrEqual(2); // one line per schedule.self value
  });

  it('runs every cell on each --seeds seed and reports means with 95 % intervals over the seeds', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-sweep-seeds-')), 'out');
    const r = await cli(
      'sweep',
      path.join(repoRoot, 'examples/study-word-swap.json'),
      '--grid',
      'schedule.cross=0.2,0.8',
      '--grid',
      'capture.steps=2',
      '--seeds',
      '1,2,3',
      '--out',
      out,
    );
    expect(r.code, r.err).toBe(0);
    expect(parseCsv(readFileSync(path.join(out, 'results.csv'), 'utf8')).rows).toHaveLength(1 + 6);
    const md = readFileSync(path.join(out, 'results.md'), 'utf8');
    // One row per cross value (not per seed), n = 3 seeds, each mean with its interval.
    expect(md).toMatch(/\| schedule\.cross \| capture\.steps \| n \|/);
    expect(md).toMatch(/\| 0\.2 \| 2 \| 3 \| [-\d.e]+ ± /);
    expect((await cli('sweep', 'x.json', '--seeds', 'a', '--out', out)).code).toBe(2);
    // 0 ran one cell: the stop is checked as a cell finishes.
    const none = await cli('sweep', 'x.json', '--seeds', '1', '--max-cells', '0', '--out', out);
    expect(none.code).toBe(2);
    expect(none.err).toContain('--max-cells takes a count of cells (1 or more), got "0"');
  });

  it('says failed cells as failures (not "ok"), where their errors are, and that a rerun retries them', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-sweep-fail-'));
    const pairs = path.join(dir, 'pairs.json');
    const target = 'a big bright blue circle on a white background';
    writeFileSync(pairs, JSON.stringify([{ id: 'bad', source: 'a red circle on a white background', target }]));
    const wf = path.join(repoRoot, 'examples/study-word-swap.json');
    const r = await cli('sweep', wf, '--grid', 'capture.steps=2', '--pairs', pairs, '--out', path.join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/^ok:/m);
    expect(r.err).toMatch(
      /1 of 1 cells failed \(1 computed, 0 already done, 1 failed\): their errors are in results\.csv/,
    );
    expect(readFileSync(path.join(dir, 'out', 'results.csv'), 'utf8')).toContain(
      'word swap needs prompts with the same number of words',
    );
  });

  it('refuses a malformed pairs file and an unknown grid node with usage errors', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-sweep-cli-'));
    const pairs = path.join(dir, 'pairs.json');
    writeFileSync(pairs, JSON.stringify([{ source: 'a red circle' }]));
    const wf = path.join(repoRoot, 'examples/study-word-swap.json');
    const bad = await cli('sweep', wf, '--pairs', pairs, '--out', dir);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('"source" and "target"');
    const unknown = await cli('sweep', wf, '--grid', 'nope.cross=1', '--out', dir);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no node "nope"');
    // A misspelt param would run identical cells; a value its schema refuses would fail each one.
    const typo = await cli('sweep', wf, '--grid', 'schedule.crosss=0.2,0.5', '--out', path.join(dir, 'typo'));
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(
      /--grid schedule\.crosss: node "schedule" \([\w.]+\) has no param "crosss"; its params: .*cross/,
    );
    const value = await cli('sweep', wf, '--grid', 'schedule.cross=0.2,abc', '--out', path.join(dir, 'value'));
    expect(value.code).toBe(2);
    expect(value.err).toContain('--grid schedule.cross: schedule.cross = "abc": must be');
    expect(existsSync(path.join(dir, 'typo'))).toBe(false);
  });
});

describe('ptp sweep, refused up front', () => {
  it('a pack a cell would load and this machine lacks is UNKNOWN_PACK before any cell runs: nothing written, as ptp run', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-sweep-pack-'));
    const wf = path.join(repoRoot, 'examples/study-word-swap.json');
    const out = path.join(dir, 'out');
    // Set by the grid: told once, with the cells it stops.
    const grid = await cli(
      'sweep',
      wf,
      '--grid',
      'model.pack=tiny-shapes,tiny-shapez',
      '--grid',
      'capture.steps=2',
      '--out',
      out,
    );
    expect(grid.code).toBe(1);
    expect(grid.err).toMatch(
      /^error UNKNOWN_PACK \[node model, param pack\]: there is no model pack “tiny-shapez” here; .* \(in 1 of 2 cells\)$/m,
    );
    expect(grid.err).not.toMatch(/NODE_FAILED|results\.csv/);
    expect(existsSync(out)).toBe(false);
    // Set by a pair of the pairs file.
    const pairs = path.join(dir, 'pairs.json');
    writeFileSync(
      pairs,
      JSON.stringify([
        { source: 'a red circle on a white background', target: 'a blue circle on a white background' },
        { source: 'a red square', target: 'a blue square', set: { 'model.pack': 'my-pack' } },
      ]),
    );
    const pair = await cli('sweep', wf, '--pairs', pairs, '--grid', 'capture.steps=2', '--out', out);
    expect([pair.code, pair.err]).toEqual([
      1,
      expect.stringMatching(/UNKNOWN_PACK .*“my-pack” here; .* \(in 1 of 2 cells\)/),
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('a workflow with no METRICS node is NO_METRICS, and a pair setting a node or param the workflow lacks a usage error: nothing written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-sweep-spec-'));
    const out = path.join(dir, 'out');
    const none = await cli(
      'sweep',
      path.join(repoRoot, 'examples/tiny-word-swap.json'),
      '--grid',
      'capture.steps=2',
      '--out',
      out,
    );
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^error NO_METRICS: the workflow has no node with a METRICS output/m);
    expect(existsSync(out)).toBe(false);
    const wf = path.join(repoRoot, 'docs/study/edit.json');
    const source = { source: 'a red circle on a white background', target: 'a blue circle on a white background' };
    for (const [set, said] of [
      [{ 'nope.words': ['circle'] }, 'no node "nope" in the workflow'],
      // Would change nothing in any cell: the sweep ran and said "ok".
      [
        { 'blend.sourceWordz': ['circle'] },
        'node "blend" (ptp.blend) has no param "sourceWordz"; its params: sourceWords',
      ],
    ] as const) {
      const pairs = path.join(dir, 'pairs.json');
      writeFileSync(pairs, JSON.stringify([{ id: 'p', ...source, set }]));
      const r = await cli('sweep', wf, '--pairs', pairs, '--grid', 'capture.steps=2', '--out', out);
      expect([r.code, r.err]).toEqual([2, expect.stringContaining(`--pairs ${pairs}, pair "p": ${said}`)]);
      expect(existsSync(out)).toBe(false);
    }
  });

  // Before, the packs were dropped and the sweep went on to the workers (nothing here to check them
  // against). The short timeout: the old code waited on Redis rather than refusing.
  it('--packs with --redis is a usage error naming both (the workers load their own packs): nothing written', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-sweep-redis-')), 'out');
    const wf = path.join(repoRoot, 'examples/study-word-swap.json');
    const r = await cli(
      'sweep',
      wf,
      '--grid',
      'capture.steps=2',
      '--packs',
      'models/packs',
      '--redis',
      'redis://127.0.0.1:1',
      '--out',
      out,
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ptp sweep: --packs .*with --redis the workers load their own packs/m);
    expect(existsSync(out)).toBe(false);
  }, 15_000);
});
