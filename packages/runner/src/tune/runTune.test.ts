import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDocument } from '@ptp/graph-core';
import { createNodeRegistry, defaultTuneSpace, ObjectiveWeightsSchema, tunePresets } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import type { CellExecutor } from '../sweep/runSweep.js';
import { PairsFileSchema, readPairs } from '../sweep/sweepSpec.js';
import { SweepResults } from '../sweep/SweepResults.js';
import { planTune, runTune, TuneSetupError, type TuneSetup } from './runTune.js';
import { tuneMarkdown } from './tuneMarkdown.js';
import { tuneReport, TuneReportSchema } from './tuneReport.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const registry = createNodeRegistry();
const loaded = loadDocument(readFileSync(path.join(repoRoot, 'docs/study/edit.json'), 'utf8'), { registry });
if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
const doc = loaded.value;
const pairs = readPairs(
  PairsFileSchema.parse(JSON.parse(readFileSync(path.join(repoRoot, 'docs/study/pairs.json'), 'utf8'))),
).slice(0, 2);
const nodes = { schedule: 'schedule', blend: 'blend' };
const setup: TuneSetup = {
  doc,
  pairs,
  space: defaultTuneSpace(nodes),
  presets: tunePresets(nodes),
  budget: 20,
  tuneSeeds: [1, 2, 3],
  testSeeds: [11, 12],
  seedColumn: 'capture.seed',
  weights: ObjectiveWeightsSchema.parse({}),
  searchSeed: 5,
};

/**
 * A made-up world where each pair has its own best cross window (0.3 for the first pair, 0.9
 * for the second), k >= 0.8 undoes the edit, and each seed shifts IoU a little.
 */
function fakeWorld(): CellExecutor & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (cell) => {
      calls.push(cell.key);
      const p = Object.fromEntries(cell.assignments.map((a) => [`${a.node}.${a.param}`, a.value])) as Record<
        string,
        number
      >;
      const want = cell.pair === pairs[0]!.id ? 0.3 : 0.9;
      const undone = p['blend.k']! >= 0.8;
      const iou = Math.max(0, 1 - Math.abs(p['schedule.cross']! - want) - 0.02 * (p['capture.seed']! % 3));
      return {
        key: cell.key,
        index: cell.index,
        pair: cell.pair,
        tags: cell.tags,
        params: p,
        status: 'ok',
        ms: 10,
        metrics: {
          'metrics.success': undone ? 0 : 1,
          'metrics.iou': undone ? 1 : iou,
          'metrics.backgroundPsnr': undone ? Infinity : 40,
        },
      };
    },
  };
}

const open = async (dir: string) =>
  SweepResults.open(path.join(dir, 'results.csv'), {
    paramColumns: [...Object.keys(setup.presets.reference!), 'capture.seed'],
  });

describe('runTune', () => {
  it('finds each pair its own cross window within the budget and scores tuned vs presets on held-back seeds', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-'));
    const world = fakeWorld();
    const out = await runTune(setup, { executor: world, results: await open(dir) });
    expect(out.status).toBe('complete');
    expect(out.plan.cost).toBeLessThanOrEqual(20);
    // Tuning runs (never more than the budget per pair) plus 3 settings x 2 held-back seeds per pair.
    expect(world.calls.length).toBe(out.plan.cost * 2 + 3 * 2 * 2);
    const best = out.pairs.map((p) => out.candidates[p.best]!);
    expect(Math.abs(best[0]!['schedule.cross']! - 0.3)).toBeLessThanOrEqual(0.15);
    expect(Math.abs(best[1]!['schedule.cross']! - 0.9)).toBeLessThanOrEqual(0.15);
    for (const b of best) expect(b['blend.k']).toBeLessThan(0.8);
    // Held-back figures exist for every pair x setting x seed, and only held-back seeds are used there.
    expect(out.test).toHaveLength(12);
    expect(new Set(out.test.map((t) => t.seed))).toEqual(new Set([11, 12]));

    const report = TuneReportSchema.parse(
      tuneReport({ setup, outcome: out, workflow: 'edit.json', command: 'ptp tune', wallSeconds: 1 }),
    );
    expect(report.overall.tuned!.j.mean!).toBeGreaterThanOrEqual(report.overall.reference!.j.mean!);
    expect(report.tunedMinus.clP2p!.n).toBe(4);
    expect(report.shared).toBeUndefined();
    expect(report.cost).toMatchObject({
      tuneRunsPerPair: out.plan.cost,
      testRuns: new Set(out.test.map((t) => t.key)).size,
      testFigures: 12,
      ranNow: world.calls.length,
    });
    // Computed once each: the search's and the held-back runs are what ran.
    expect(report.cost.tuneRuns + report.cost.testRuns).toBe(world.calls.length);
    const md = tuneMarkdown(report);
    expect(md).toContain('| tuned per pair |');
    expect(md).toContain(pairs[1]!.id);
  });

  it('also tunes one setting for all pairs: a compromise between their optima, scored on the held-back seeds', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-'));
    const world = fakeWorld();
    const out = await runTune({ ...setup, shared: true }, { executor: world, results: await open(dir) });
    const sharedCross = out.candidates[out.shared!.best]!['schedule.cross']!;
    // Each pair's own optimum is 0.3 or 0.9; one setting for both lands between them.
    expect(sharedCross).toBeGreaterThanOrEqual(0.3 - 0.15);
    expect(sharedCross).toBeLessThanOrEqual(0.9 + 0.15);
    // Its rung 0 is every pair's rung 0: the extra runs are fewer than a second search's.
    expect(out.shared!.extraRuns).toBeLessThan(out.plan.cost * 2 - out.plan.rungs[0]!.candidates * 2);
    // Held back: 4 settings x 2 seeds per pair, fewer where two settings coincide (one cell each).
    expect(world.calls.length).toBeLessThanOrEqual(out.plan.cost * 2 + out.shared!.extraRuns + 4 * 2 * 2);
    expect(world.calls.length).toBeGreaterThan(out.plan.cost * 2 + out.shared!.extraRuns + 2 * 2 * 2);
    const report = tuneReport({
      setup: { ...setup, shared: true },
      outcome: out,
      workflow: 'w',
      command: 'c',
      wallSeconds: 1,
    });
    expect(Object.keys(report.overall)).toEqual(['tuned', 'shared', 'reference', 'clP2p']);
    // The cost line counts what ran: the all-pairs search's own runs, equal settings' runs once.
    expect(report.cost.tuneRuns + report.cost.testRuns).toBe(world.calls.length);
    // Per-pair tuning fits each pair at least as well as one compromise setting, on average.
    expect(report.tunedMinus.shared!.mean!).toBeGreaterThanOrEqual(0);
    expect(tuneMarkdown(report)).toContain('| tuned for all pairs |');
  });

  it('counts failed runs by error and pair, and tunes the setting for all pairs on the pairs that have figures', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-'));
    const world = fakeWorld();
    // Every run of the second pair fails, as a pair whose blend word is not in its prompt does.
    const failing: CellExecutor = {
      run: async (cell, signal) => {
        const r = await world.run(cell, signal);
        if (r === 'interrupted' || cell.pair !== pairs[1]!.id) return r;
        return { ...r, status: 'error', metrics: {}, error: 'INVALID_PARAM [node blend, param sourceWords]: no' };
      },
    };
    const out = await runTune({ ...setup, shared: true }, { executor: failing, results: await open(dir) });
    const runs = new Set(world.calls).size;
    expect(out.failures).toEqual({
      runs,
      failed: expect.any(Number),
      pairsAllFailed: [pairs[1]!.id],
      errors: [
        {
          error: 'INVALID_PARAM [node blend, param sourceWords]: no',
          runs: out.failures.failed,
          pairs: [pairs[1]!.id],
        },
      ],
    });
    expect(out.failures.failed).toBeGreaterThan(0);
    expect(out.failures.failed).toBeLessThan(runs);
    // Before, every candidate's average over the pairs was missing: the pick fell to the tie-break.
    expect(Number.isFinite(out.shared!.selection[0]!.score)).toBe(true);
    expect(Math.abs(out.candidates[out.shared!.best]!['schedule.cross']! - 0.3)).toBeLessThanOrEqual(0.15);
    const report = TuneReportSchema.parse(
      tuneReport({ setup: { ...setup, shared: true }, outcome: out, workflow: 'w', command: 'c', wallSeconds: 1 }),
    );
    expect(report.failures).toEqual(out.failures);
    expect(report.pairs[1]!.test.tuned!.j).toMatchObject({ n: 0, mean: null });
    const md = tuneMarkdown(report);
    expect(md).toContain(`**${out.failures.failed} of ${runs} runs failed: the figures are from the other`);
    expect(md).toContain(`Every run of \`${pairs[1]!.id}\` failed: no figures for it.`);
    expect(md).not.toContain('NaN');
  });

  it('resumes: a rerun over the same results file computes nothing and decides the same', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-'));
    const first = await runTune(setup, { executor: fakeWorld(), results: await open(dir) });
    const again = fakeWorld();
    const second = await runTune(setup, { executor: again, results: await open(dir) });
    expect(again.calls).toEqual([]);
    expect(second.pairs.map((p) => p.best)).toEqual(first.pairs.map((p) => p.best));
    expect(second.reused).toBe(first.ran);
  });

  it('picks the winner by the selection rule among the candidates on the most seeds, reusing a file searched under another rule', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-'));
    const byMean = await runTune(
      { ...setup, select: { rule: 'mean' } },
      { executor: fakeWorld(), results: await open(dir) },
    );
    const most = byMean.plan.rungs.at(-1)!.seeds;
    for (const p of byMean.pairs) {
      expect(p.selection[0]!.candidate).toBe(p.best);
      expect(p.selection.every((x) => x.seeds === most)).toBe(true);
      // Under mean the winner is the best of the last rung, as before the rule existed.
      expect(p.best).toBe(p.rungs.at(-1)![0]!.candidate);
    }
    // The same search under lcb and min runs no tuning cell again (the CSV keys are the same): at
    // most the held-back runs of a different winner.
    for (const rule of ['lcb', 'min'] as const) {
      const world = fakeWorld();
      const out = await runTune({ ...setup, select: { rule, z: 2 } }, { executor: world, results: await open(dir) });
      expect(world.calls.length).toBeLessThanOrEqual(2 * setup.testSeeds.length);
      for (const p of out.pairs) expect(p.best).toBe(p.selection[0]!.candidate);
      const report = TuneReportSchema.parse(
        tuneReport({
          setup: { ...setup, select: { rule, z: 2 } },
          outcome: out,
          workflow: 'w',
          command: 'c',
          wallSeconds: 1,
        }),
      );
      expect(report.select).toEqual(rule === 'lcb' ? { rule, z: 2 } : { rule });
      expect(report.pairs[0]!.best.tuneSeeds).toBe(most);
      expect(report.pairs[0]!.best.selectScore).toBeTypeOf('number');
      expect(tuneMarkdown(report)).toContain(`--select ${rule}`);
    }
  });

  it('scores rung 0 on firstSeeds seeds, and reads reports written before the selection rule', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-'));
    const { plan } = planTune({ ...setup, firstSeeds: 2 });
    expect(plan.rungs[0]!.seeds).toBe(2);
    expect(plan.cost).toBeLessThanOrEqual(setup.budget);
    expect(() => planTune({ ...setup, firstSeeds: 0 })).toThrow(TuneSetupError);
    const out = await runTune({ ...setup, firstSeeds: 2 }, { executor: fakeWorld(), results: await open(dir) });
    const report = tuneReport({ setup, outcome: out, workflow: 'w', command: 'c', wallSeconds: 1 });
    // A report from before: no select, no selectScore or tuneSeeds on the winners.
    const old = JSON.parse(JSON.stringify(report)) as Record<string, unknown> & { pairs: { best: object }[] };
    delete old.select;
    for (const p of old.pairs) p.best = { ...p.best, selectScore: undefined, tuneSeeds: undefined };
    const parsed = TuneReportSchema.parse(JSON.parse(JSON.stringify(old)));
    expect(parsed.select).toBeUndefined();
    expect(tuneMarkdown(parsed)).toContain('Winner: the best mean J of the last rung');
  });

  it('stops when aborted and reports interrupted', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-tune-'));
    const controller = new AbortController();
    const world = fakeWorld();
    const stopping: CellExecutor = {
      run: async (cell, signal) => {
        if (world.calls.length === 5) controller.abort();
        return signal.aborted ? 'interrupted' : world.run(cell, signal);
      },
    };
    const out = await runTune(setup, { executor: stopping, results: await open(dir), signal: controller.signal });
    expect(out.status).toBe('interrupted');
    expect(world.calls.length).toBe(5);
  });

  it('refuses overlapping seeds and a budget too small for two candidates', () => {
    expect(() => planTune({ ...setup, testSeeds: [3, 4] })).toThrow(TuneSetupError);
    expect(() => planTune({ ...setup, budget: 1 })).toThrow(/budget of 1/);
  });
});
