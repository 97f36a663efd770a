import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../testCli.js';
import { TuneReportSchema } from '../../tune/tuneReport.js';

const workflow = path.join(repoRoot, 'docs/study/edit.json');

function pairsFile(dir: string): string {
  const file = path.join(dir, 'pairs.json');
  const all = JSON.parse(readFileSync(path.join(repoRoot, 'docs/study/pairs.json'), 'utf8')) as unknown[];
  writeFileSync(file, JSON.stringify(all.slice(0, 1)));
  return file;
}

describe('ptp tune', () => {
  it('refuses a missing pairs file, a budget under 2 and seeds used for both tuning and testing (exit 2)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-cli-'));
    const pairs = pairsFile(dir);
    const out = path.join(dir, 'out');
    expect((await cli('tune', workflow, '--budget', '8', '--out', out)).err).toContain('--pairs');
    const low = await cli('tune', workflow, '--pairs', pairs, '--budget', '1', '--out', out);
    expect(low.code).toBe(2);
    expect(low.err).toContain('--budget');
    const overlap = await cli(
      'tune',
      workflow,
      '--pairs',
      pairs,
      '--budget',
      '4',
      '--tune-seeds',
      '1,2',
      '--test-seeds',
      '2',
      '--out',
      out,
    );
    expect(overlap.code).toBe(2);
    expect(overlap.err).toContain('seeds 2 are both');
    // Said before the output folder is made, as every refusal.
    expect(existsSync(out)).toBe(false);
    const weights = await cli(
      'tune',
      workflow,
      '--pairs',
      pairs,
      '--budget',
      '4',
      '--weights',
      'success=-1',
      '--out',
      out,
    );
    expect(weights.code).toBe(2);
    for (const [flag, value] of [
      ['--select', 'best'],
      ['--lcb-z', '-1'],
      ['--first-seeds', '0'],
    ] as const) {
      const bad = await cli('tune', workflow, '--pairs', pairs, '--budget', '4', flag, value, '--out', out);
      expect(bad.code, flag).toBe(2);
      expect(bad.err).toContain(flag);
    }
    expect(
      (await cli('tune', workflow, '--pairs', pairs, '--budget', '4', '--seed-node', 'nope', '--out', out)).err,
    ).toContain('no node "nope"');
    // Every run would finish with no figures to score: "ok" with n/a (NaN before) everywhere.
    const metrics = await cli(
      'tune',
      workflow,
      '--pairs',
      pairs,
      '--budget',
      '4',
      '--metrics-node',
      'capture',
      '--out',
      out,
    );
    expect([metrics.code, metrics.err]).toEqual([
      2,
      expect.stringContaining(
        '--metrics-node: no node "capture" with a METRICS output in the workflow; its METRICS nodes: metrics',
      ),
    ]);
    expect(existsSync(out)).toBe(false);
    // A --space column the workflow lacks, or a value its param refuses, would fail every run.
    const space = path.join(dir, 'space.json');
    writeFileSync(
      space,
      JSON.stringify({
        dimensions: [
          { column: 'schedul.cross', min: 0.1, max: 1, step: 0.1 },
          { column: 'schedule.selfResolutionDivisor', values: [1, 0.5] },
        ],
      }),
    );
    const badSpace = await cli('tune', workflow, '--pairs', pairs, '--budget', '4', '--space', space, '--out', out);
    expect(badSpace.code).toBe(2);
    expect(badSpace.err).toContain('schedul.cross: no node "schedul" in the workflow; did you mean "schedule"?');
    expect(badSpace.err).toMatch(/schedule\.selfResolutionDivisor: .*0\.5/);
    expect(existsSync(out)).toBe(false);
  });

  it('tunes one pair on the tiny-shapes pack at 4 steps and writes results.json, results.md and a resumable results.csv', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-cli-'));
    const out = path.join(dir, 'out');
    const args = [
      'tune',
      workflow,
      '--pairs',
      pairsFile(dir),
      '--budget',
      '4',
      '--tune-seeds',
      '1,2',
      '--test-seeds',
      '9',
      '--steps',
      '4',
      '--out',
      out,
    ];
    const first = await cli(...args);
    expect(first.code, first.err).toBe(0);
    const report = TuneReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')));
    expect(report.status).toBe('complete');
    expect(report.cost.tuneRunsPerPair).toBeLessThanOrEqual(4);
    expect(report.pairs[0]!.test.tuned!.j.n).toBe(1);
    expect(readFileSync(path.join(out, 'results.md'), 'utf8')).toContain('| reference defaults |');
    // The default selection rule is recorded and stated.
    expect(report.select).toEqual({ rule: 'lcb', z: 1 });
    expect(readFileSync(path.join(out, 'results.md'), 'utf8')).toContain('`--select lcb --lcb-z 1`');
    const again = await cli(...args);
    expect(again.code).toBe(0);
    expect(again.out).toContain('(0 computed now)');
    // Another rule over the same results.csv reuses every tuning run.
    const byMean = await cli(...args, '--select', 'mean');
    expect(byMean.code, byMean.err).toBe(0);
    const meanReport = TuneReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')));
    expect(meanReport.select).toEqual({ rule: 'mean' });
    expect(meanReport.cost.ranNow).toBeLessThanOrEqual(1);
  });
});

describe('ptp tune, refused up front', () => {
  it('a pack the workflow or a pair names and this machine lacks is UNKNOWN_PACK before any run: nothing written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-pack-'));
    const out = path.join(dir, 'out');
    const doc = JSON.parse(readFileSync(workflow, 'utf8')) as { nodes: { id: string; params: { pack?: string } }[] };
    doc.nodes.find((n) => n.id === 'model')!.params.pack = 'tiny-shapez';
    const wrong = path.join(dir, 'wrong-pack.json');
    writeFileSync(wrong, JSON.stringify(doc));
    const args = ['--budget', '4', '--tune-seeds', '1,2', '--test-seeds', '9', '--steps', '2', '--out', out];
    const r = await cli('tune', wrong, '--pairs', pairsFile(dir), ...args);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error UNKNOWN_PACK \[node model, param pack\]: there is no model pack “tiny-shapez” here; [^(]*$/m,
    );
    expect(r.err).not.toMatch(/NODE_FAILED|FAILED/);
    expect(existsSync(out)).toBe(false);
    // A pair's `set` names it: the other pairs' runs do not start either.
    const all = JSON.parse(readFileSync(path.join(repoRoot, 'docs/study/pairs.json'), 'utf8')) as { set?: object }[];
    const pairs = path.join(dir, 'pairs-set.json');
    writeFileSync(pairs, JSON.stringify([all[0], { ...all[1], set: { ...all[1]!.set, 'model.pack': 'my-pack' } }]));
    const byPair = await cli('tune', workflow, '--pairs', pairs, ...args);
    expect([byPair.code, byPair.err]).toEqual([
      1,
      expect.stringMatching(/UNKNOWN_PACK .*“my-pack” here; .* \(in 1 of 2 pairs\)/),
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('a workflow with no METRICS node is NO_METRICS, and a pair setting a node the workflow lacks a usage error: nothing written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-spec-'));
    const out = path.join(dir, 'out');
    const doc = JSON.parse(readFileSync(workflow, 'utf8')) as {
      nodes: { id: string }[];
      edges: { from: { node: string }; to: { node: string } }[];
    };
    doc.nodes = doc.nodes.filter((n) => n.id !== 'metrics');
    doc.edges = doc.edges.filter((e) => e.from.node !== 'metrics' && e.to.node !== 'metrics');
    const noMetrics = path.join(dir, 'no-metrics.json');
    writeFileSync(noMetrics, JSON.stringify(doc));
    const args = ['--budget', '4', '--tune-seeds', '1,2', '--test-seeds', '9', '--steps', '2', '--out', out];
    const none = await cli('tune', noMetrics, '--pairs', pairsFile(dir), ...args);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/^error NO_METRICS: the workflow has no node with a METRICS output/m);
    expect(existsSync(out)).toBe(false);
    const pairs = path.join(dir, 'pairs-nope.json');
    writeFileSync(
      pairs,
      JSON.stringify([{ id: 'p', source: 'a red circle', target: 'a blue circle', set: { 'nope.k': 1 } }]),
    );
    const nope = await cli('tune', workflow, '--pairs', pairs, ...args);
    expect([nope.code, nope.err]).toEqual([
      2,
      expect.stringContaining(`--pairs ${pairs}, pair "p": no node "nope" in the workflow`),
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('--packs with --redis is a usage error naming both (the workers load their own packs): nothing written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-redis-'));
    const out = path.join(dir, 'out');
    const r = await cli(
      'tune',
      workflow,
      '--pairs',
      pairsFile(dir),
      '--budget',
      '4',
      '--packs',
      'models/packs',
      '--redis',
      'redis://127.0.0.1:1',
      '--out',
      out,
    );
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^ptp tune: --packs .*with --redis the workers load their own packs/m);
    expect(existsSync(out)).toBe(false);
  }, 15_000);
});

describe('ptp tune, failed runs (said as ptp sweep says failed cells)', () => {
  const args = ['--budget', '4', '--tune-seeds', '1,2', '--test-seeds', '9', '--steps', '2'];
  // Every run of this pair fails: its blend word is not in its prompt (a node's check, per run).
  const bad = {
    id: 'bad',
    source: 'a red circle on a white background',
    target: 'a blue circle on a white background',
    set: { 'blend.sourceWords': ['hexagon'], 'blend.targetWords': ['circle'] },
  };
  const error =
    /^error INVALID_PARAM \[node blend, param sourceWords\]: "hexagon" not in the prompt "a red circle on a white background" \(in 6 of (6|12) runs; pair bad\)$/m;

  it('every run failed: exit 1, the errors once each with their runs, no "ok:" and no NaN', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-fail-'));
    const pairs = path.join(dir, 'pairs.json');
    writeFileSync(pairs, JSON.stringify([bad]));
    const out = path.join(dir, 'out');
    const r = await cli('tune', workflow, '--pairs', pairs, ...args, '--out', out);
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(/^ok:/m);
    expect(r.out + r.err).not.toContain('NaN');
    expect(r.err).toMatch(error);
    expect(r.err).toMatch(/^every run failed \(6 of 6\): no figures to report; their errors are in .*results\.csv/m);
    const report = TuneReportSchema.parse(JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')));
    expect(report.failures).toMatchObject({ runs: 6, failed: 6, pairsAllFailed: ['bad'] });
    const md = readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('**Every run failed (6): there are no figures.**');
    // Its never-scored "best" (the reference defaults, sampled first) is not offered as a setting.
    expect(md).toMatch(/One setting for all pairs \(.*\): none, no run of its search was scored\./);
  });

  it('every run of one pair failed: exit 1, how many failed, and the figures of the other pair, said to be so', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-fail-'));
    const pairs = path.join(dir, 'pairs.json');
    const good = (JSON.parse(readFileSync(path.join(repoRoot, 'docs/study/pairs.json'), 'utf8')) as unknown[])[0];
    writeFileSync(pairs, JSON.stringify([good, bad]));
    const r = await cli('tune', workflow, '--pairs', pairs, ...args, '--out', path.join(dir, 'out'));
    expect(r.code).toBe(1);
    expect(r.out + r.err).not.toContain('NaN');
    expect(r.err).toMatch(error);
    expect(r.err).toMatch(/^every run of pair bad failed: no figures for it/m);
    expect(r.err).toMatch(
      /^6 of 12 runs failed: the figures are from the other 6; their errors are in .*results\.csv/m,
    );
    expect(r.out).toMatch(
      /^2 pairs, .*, 6 failed; held-back J: tuned per pair \d\.\d{3}, tuned for all pairs \d\.\d{3}, reference \d\.\d{3}, CL P2P \d\.\d{3} \(from the runs that finished\)/m,
    );
  });
});
