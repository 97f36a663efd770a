import { runChecked } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { blendNode } from '../blend/blendNode.js';
import { injectionScheduleNode } from '../schedule/injectionScheduleNode.js';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import type { BlendSpec, MetricsValue, ScheduleSpec } from '../values.js';
import { applyCandidate } from './scheduleCandidate.js';
import { tuneNode } from './tuneNode.js';

const prompt = (text: string) => ({ text, words: text.split(' ') });
const source = prompt('a red circle');
const target = prompt('a blue circle');
const blend = (
  blendNode.run({ source, target }, blendNode.params.parse({ targetWords: ['circle'] }), fakeContext()) as {
    blend: BlendSpec;
  }
).blend;
const base = (
  injectionScheduleNode.run(
    { source, target, blend },
    injectionScheduleNode.params.parse({ crossWords: { blue: 0.5 }, equalizer: { blue: 2 } }),
    fakeContext(),
  ) as { schedule: ScheduleSpec }
).schedule;
type Out = { schedule: ScheduleSpec; metrics: MetricsValue };
const params = (p: Record<string, unknown> = {}) =>
  tuneNode.params.parse({ budget: 4, seeds: [1, 2], testSeeds: [9], steps: 2, batch: 2, ...p });

describe('applyCandidate', () => {
  it('sets the searched knobs and keeps the rest of the schedule', () => {
    const s = applyCandidate(base, {
      'schedule.cross': 0.3,
      'schedule.self': 0.9,
      'schedule.selfResolutionDivisor': 1,
      'schedule.vBeta': 0.5,
      'schedule.vWindow': 0.8,
      'blend.k': 0.6,
    });
    expect(s.cross).toEqual({ default: 0.3, words: { blue: 0.5 } });
    expect(s).toMatchObject({ self: 0.9, selfResolutionDivisor: 1, vInjection: { window: 0.8, beta: 0.5 } });
    expect(s.blend).toMatchObject({ k: 0.6, targetWords: ['circle'] });
    expect(s.equalizer).toEqual({ blue: 2 });
    expect(applyCandidate(base, {})).toEqual(base);
  });
});

describe('Tune node', () => {
  it('spends at most its budget, outputs the best schedule and held-back J per setting, with progress to the end', async () => {
    const pack = fakePack();
    const ctx = fakeContext();
    const calls = pack.unet.calls.length;
    const out = (await runChecked(tuneNode, { model: pack, schedule: base }, params(), ctx)) as Out;
    const v = out.metrics.values;
    expect(v.runs).toBeLessThanOrEqual(4);
    expect(v.testRuns).toBe(3);
    // The output is the input schedule with the best settings: prompts, words and blend words kept.
    expect(out.schedule.target).toEqual(target);
    expect(out.schedule.cross.default).toBe(v['best.cross']);
    expect(out.schedule.blend?.k).toBe(v['best.k']);
    expect(out.schedule.selfResolutionDivisor).toBe(v['best.selfResolutionDivisor']);
    for (const s of ['tuned', 'reference', 'clP2p']) {
      expect(v[`${s}.j`]).toBeGreaterThanOrEqual(0);
      expect(v[`${s}.j`]).toBeLessThanOrEqual(1);
    }
    // The final pick, best first by the selection rule (lcb, z 1, by default): its score is a lower
    // bound on its mean.
    const ranking = JSON.parse(String(out.metrics.context!.ranking)) as { tuneJ: number; score: number }[];
    expect(ranking).toHaveLength(2);
    expect(out.metrics.context!.select).toBe('lcb (z 1)');
    expect(ranking[0]!.score).toBe(v['best.selectScore']);
    expect(ranking[0]!.score).toBeGreaterThanOrEqual(ranking[1]!.score);
    expect(v['best.selectScore']).toBeLessThanOrEqual(v['best.tuneJ']! + 1e-12);
    // Batches of 2 edits: fewer sampler calls (2 steps each) than runs.
    expect(pack.unet.calls.length - calls).toBeLessThan(2 * (v.runs! + 3));
    const last = ctx.progressCalls.at(-1)!;
    expect(last[0]).toBe(last[1]);
    for (let i = 1; i < ctx.progressCalls.length; i++)
      expect(ctx.progressCalls[i]![0]).toBeGreaterThanOrEqual(ctx.progressCalls[i - 1]![0]);
    // Deterministic: the same inputs choose the same schedule.
    const again = (await runChecked(tuneNode, { model: pack, schedule: base }, params(), fakeContext())) as Out;
    expect(again.schedule).toEqual(out.schedule);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      runChecked(tuneNode, { model: fakePack(), schedule: base }, params(), fakeContext({ signal: controller.signal })),
    ).rejects.toThrow();
  });

  it('refuses held-back seeds that are tuning seeds, and a budget too small, before running', () => {
    const issues = tuneNode.check!({ schedule: base }, params({ testSeeds: [2] }));
    expect(issues).toEqual([expect.objectContaining({ param: 'testSeeds' })]);
    expect(tuneNode.params.safeParse({ budget: 1 }).success).toBe(false);
    expect(tuneNode.params.safeParse({ budget: 257 }).success).toBe(false);
    expect(tuneNode.params.parse({})).toMatchObject({ select: 'lcb', lcbZ: 1, firstSeeds: 1 });
    expect(tuneNode.params.safeParse({ select: 'best' }).success).toBe(false);
    expect(tuneNode.params.safeParse({ lcbZ: -1 }).success).toBe(false);
    expect(tuneNode.params.safeParse({ firstSeeds: 0 }).success).toBe(false);
    // Rung 0 on more seeds than the budget pays for two candidates: refused before running.
    expect(tuneNode.check!({ schedule: base }, params({ budget: 4, seeds: [1, 2, 3], firstSeeds: 3 }))).toEqual([
      expect.objectContaining({ param: 'budget' }),
    ]);
  });

  it('picks by mean or the worst seed when asked, within the same budget', async () => {
    for (const select of ['mean', 'min'] as const) {
      const out = (await runChecked(
        tuneNode,
        { model: fakePack(), schedule: base },
        params({ select, testSeeds: [] }),
        fakeContext(),
      )) as Out;
      expect(out.metrics.context!.select).toBe(select);
      expect(out.metrics.values.runs).toBeLessThanOrEqual(4);
      if (select === 'mean') expect(out.metrics.values['best.selectScore']).toBe(out.metrics.values['best.tuneJ']);
    }
  });
});
