import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { captureSourceNode } from '../edit/captureSourceNode.js';
import type { ImageBatch, LatentBatch } from '../image/ImageBatch.js';
import type { Scheduler } from '../runtime/InferenceBackend.js';
import { injectionScheduleNode } from '../schedule/injectionScheduleNode.js';
import { fakeContext, fakePack, fakeScheduler } from '../testing/fakePack.js';
import type { MetricsValue, ScheduleSpec, SourceValue } from '../values.js';
import { cycleNode } from './cycleNode.js';

// The fake pack plus an inverse scheduler (x + 0.1 x eps) so B can be inverted.
const pack = {
  ...fakePack(),
  createInverseScheduler: (): Scheduler => {
    const step: Scheduler['step'] = (out, _t, sample) => sample.map((v, i) => v + 0.1 * out[i]!) as typeof sample;
    return Object.assign(fakeScheduler(), { step });
  },
};
const prompt = (text: string) => ({ text, words: text.split(' ') });
const red = prompt('a red circle');
const edit = (
  injectionScheduleNode.run(
    { source: red, target: prompt('a blue circle'), blend: undefined },
    injectionScheduleNode.params.parse({ vBeta: 0.5, vWindow: 0.5 }),
    fakeContext(),
  ) as { schedule: ScheduleSpec }
).schedule;
const captured = (async () =>
  (
    (await captureSourceNode.run(
      { model: pack, prompt: red, negative: undefined, noise: undefined },
      captureSourceNode.params.parse({ steps: 2, seed: 11 }),
      fakeContext(),
    )) as { source: SourceValue }
  ).source)();
type Out = { metrics: MetricsValue; images: ImageBatch; latent: LatentBatch };
const cycle = async (params: Record<string, unknown> = {}, signal?: AbortSignal, source?: SourceValue) =>
  cycleNode.run(
    { model: pack, source: source ?? (await captured), edit },
    cycleNode.params.parse(params),
    fakeContext(signal ? { signal } : {}),
  ) as Promise<Out>;

describe('Cycle node', () => {
  it("returns A, B and A', A' latent and the cycle metrics with the settings they depend on", async () => {
    const ctx = fakeContext();
    const out = (await cycleNode.run(
      { model: pack, source: await captured, edit },
      cycleNode.params.parse({ method: 'ddim', reencode: false }),
      ctx,
    )) as Out;
    expect(out.images.images.map((im) => [im.width, im.height])).toEqual([
      [32, 32],
      [32, 32],
      [32, 32],
    ]);
    expect(out.latent).toMatchObject({ dims: [1, 4, 8, 8], packId: 'fake' });
    expect(out.latent.data).toHaveLength(256);
    expect(Object.keys(out.metrics.values).sort()).toEqual(
      ['editPsnr', 'latentMae', 'pixelMae', 'psnr', 'psnrVsDecoded', 'ssim', 'ssimVsDecoded'].sort(),
    );
    for (const v of Object.values(out.metrics.values)) expect(Number.isNaN(v)).toBe(false);
    expect(out.metrics).toMatchObject({
      kind: 'cycle',
      context: { source: 'generated', method: 'ddim', reencode: false, vInjection: true, vBeta: 0.5, steps: 2 },
    });
    // Progress runs over the three phases: forward edit, inversion of B, edit back.
    expect(ctx.progressCalls.at(-1)).toEqual([6, 6]);
  });

  it('refuses a source made with another pack, naming the input, and stops when cancelled', async () => {
    const err = await cycle({}, undefined, { ...(await captured), packId: 'tiny-shapes' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ input: 'source', message: expect.stringContaining('"tiny-shapes"') });
    const abort = new AbortController();
    abort.abort();
    await expect(cycle({}, abort.signal)).rejects.toThrow('aborted');
    expect(cycleNode.params.safeParse({ method: 'null-text' }).success).toBe(false);
  });
});
