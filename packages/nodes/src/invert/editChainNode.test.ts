import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { captureSourceNode } from '../edit/captureSourceNode.js';
import type { ImageBatch } from '../image/ImageBatch.js';
import type { Scheduler } from '../runtime/InferenceBackend.js';
import { injectionScheduleNode } from '../schedule/injectionScheduleNode.js';
import { fakeContext, fakePack, fakeScheduler } from '../testing/fakePack.js';
import type { MetricsValue, ScheduleSpec, SourceValue } from '../values.js';
import { editChainNode } from './editChainNode.js';

// The fake pack plus an inverse scheduler (x + 0.1 x eps) so each turn's result can be inverted.
const pack = {
  ...fakePack(),
  createInverseScheduler: (): Scheduler => {
    const step: Scheduler['step'] = (out, _t, sample) => sample.map((v, i) => v + 0.1 * out[i]!) as typeof sample;
    return Object.assign(fakeScheduler(), { step });
  },
};
const prompt = (text: string) => ({ text, words: text.split(' ') });
const P = ['a red circle', 'a blue circle', 'a blue square'].map(prompt);
const schedule = (from: number, to: number): ScheduleSpec =>
  (
    injectionScheduleNode.run(
      { source: P[from]!, target: P[to]!, blend: undefined },
      injectionScheduleNode.params.parse({ vBeta: 0.5, vWindow: 0.5 }),
      fakeContext(),
    ) as { schedule: ScheduleSpec }
  ).schedule;
const captured = (async () =>
  (
    (await captureSourceNode.run(
      { model: pack, prompt: P[0]!, negative: undefined, noise: undefined },
      captureSourceNode.params.parse({ steps: 2, seed: 11 }),
      fakeContext(),
    )) as { source: SourceValue }
  ).source)();
type Out = { metrics: MetricsValue; images: ImageBatch };
const run = async (inputs: { turns?: ScheduleSpec[]; combined?: ScheduleSpec }, params = {}, signal?: AbortSignal) =>
  editChainNode.run(
    {
      model: pack,
      source: await captured,
      turns: inputs.turns ?? [schedule(0, 1), schedule(1, 2)],
      combined: inputs.combined,
    },
    editChainNode.params.parse(params),
    fakeContext(signal ? { signal } : {}),
  ) as Promise<Out>;

describe('Edit chain node', () => {
  it('measures every turn, the one-step edit, and the same without V injection, named by turn', async () => {
    const ctx = fakeContext();
    const out = (await editChainNode.run(
      { model: pack, source: await captured, turns: [schedule(0, 1), schedule(1, 2)], combined: schedule(0, 2) },
      editChainNode.params.parse({}),
      ctx,
    )) as Out;
    // original, turn 1, turn 2, one step; then turn 1, turn 2, one step without V.
    expect(out.images.images).toHaveLength(7);
    const keys = Object.keys(out.metrics.values);
    for (const prefix of ['', 'noV.'])
      for (const t of ['turn1', 'turn2', 'oneStep'])
        for (const m of ['iou', 'stepIou', 'backgroundPsnr', 'shapePsnr', 'untouchedPsnr', 'success', 'psnr'])
          expect(keys).toContain(`${prefix}${t}.${m}`);
    expect(keys).toContain('oneStep.vsChainPsnr');
    expect(out.metrics).toMatchObject({
      kind: 'chain',
      context: {
        turns: 2,
        method: 'direct',
        steps: 2,
        vInjection: 'both',
        vBeta: 0.5,
        'turn1.untouched': 'background',
      },
    });
    // Progress covers both chains: (2 edits + 1 inversion + 1 one-step) x 2 variants x 2 steps.
    expect(ctx.progressCalls.at(-1)).toEqual([16, 16]);
    const single = await run({}, { vInjection: 'off' });
    expect(single.images.images).toHaveLength(3);
    expect(Object.keys(single.metrics.values).some((k) => k.startsWith('noV.'))).toBe(false);
  });

  it('refuses turns that do not follow each other, a combined edit that is not the whole chain, and stops when cancelled', async () => {
    const err = await run({ turns: [schedule(0, 1), schedule(0, 2)] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ code: 'INVALID_INPUT', input: 'turns', message: expect.stringContaining('turn 2') });
    await expect(run({ combined: schedule(0, 1) })).rejects.toMatchObject({ input: 'combined' });
    await expect(run({ turns: [schedule(0, 1), schedule(1, 2)] }, { maxTurns: 1 })).rejects.toMatchObject({
      param: 'maxTurns',
    });
    // The same problems show before running, from the schedules alone.
    const check = (turns: ScheduleSpec[], combined?: ScheduleSpec) =>
      editChainNode.check!({ turns, combined }, editChainNode.params.parse({}));
    expect(check([schedule(0, 1), schedule(1, 2)], schedule(0, 2))).toEqual([]);
    expect(check([schedule(0, 1), schedule(0, 2)])).toEqual([
      { message: 'turn 2 starts from "a red circle" but the picture shows "a blue circle"', input: 'turns' },
    ]);
    expect(check([schedule(0, 1)], schedule(0, 2))).toMatchObject([{ input: 'combined' }]);
    const abort = new AbortController();
    abort.abort();
    await expect(run({}, {}, abort.signal)).rejects.toThrow('aborted');
  });
});
