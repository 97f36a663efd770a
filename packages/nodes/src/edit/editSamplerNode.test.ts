import { NodeRunError, runChecked } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { LatentBatch } from '../image/ImageBatch.js';
import { injectionScheduleNode } from '../schedule/injectionScheduleNode.js';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import type { AttentionValue, ScheduleSpec, SourceValue } from '../values.js';
import { captureSourceNode } from './captureSourceNode.js';
import { editSamplerNode } from './editSamplerNode.js';

const pack = fakePack();
const prompt = (text: string) => ({ text, words: text.split(' ') });
const red = prompt('a red circle');
const schedule = (target: string) =>
  (
    injectionScheduleNode.run(
      { source: red, target: prompt(target), blend: undefined },
      injectionScheduleNode.params.parse({}),
      fakeContext(),
    ) as { schedule: ScheduleSpec }
  ).schedule;
const captured = (async () =>
  (await captureSourceNode.run(
    { model: pack, prompt: red, negative: undefined, noise: undefined },
    captureSourceNode.params.parse({ steps: 2, seed: 3 }),
    fakeContext(),
  )) as { source: SourceValue; latent: LatentBatch })();
type Out = { latent: LatentBatch; attention: AttentionValue; trajectory: Float32Array[] };
const sample = async (
  edits: ScheduleSpec[],
  params: Record<string, unknown> = {},
  signal?: AbortSignal,
  source?: SourceValue,
) =>
  runChecked(
    editSamplerNode,
    { model: pack, source: source ?? (await captured).source, edits },
    editSamplerNode.params.parse(params),
    fakeContext(signal ? { signal } : {}),
  ) as Promise<Out>;

describe('Edit sampler node', () => {
  it('samples the source and every edit in one batch: item 0 reproduces the captured source', async () => {
    const { latent: sourceLatent } = await captured;
    const calls = pack.unet.calls.length;
    const out = await sample([schedule('a blue circle'), schedule('a red square')]);
    expect(out.latent).toMatchObject({ dims: [3, 4, 8, 8], packId: 'fake' });
    expect(out.latent.data.subarray(0, 256)).toEqual(sourceLatent.data);
    // One UNet call per step for the whole CFG batch (2 x 3 items).
    expect(pack.unet.calls.length - calls).toBe(2);
    expect(pack.unet.calls.at(-1)!.sample!.dims).toEqual([6, 4, 8, 8]);
    expect(out.trajectory).toHaveLength(2);
    expect(out.attention).toMatchObject({ prompts: ['a red circle', 'a blue circle', 'a red square'], steps: 2 });
    expect(editSamplerNode.summarize!(out)).toMatchObject({ items: 3, steps: 2 });
  });

  it('names the input for no edits, too many edits, a schedule from another prompt or a source of another pack', async () => {
    const fail = (p: Promise<unknown>) => p.catch((e: unknown) => e);
    const none = await fail(sample([]));
    expect(none).toBeInstanceOf(NodeRunError);
    expect(none).toMatchObject({ input: 'edits' });
    expect(await fail(sample([schedule('a blue circle'), schedule('a red square')], { maxEdits: 1 }))).toMatchObject({
      input: 'edits',
      param: 'maxEdits',
    });
    const stranger = { ...schedule('a blue circle'), source: prompt('a green circle') };
    expect(await fail(sample([stranger]))).toMatchObject({ input: 'edits' });
    const other = { ...(await captured).source, packId: 'tiny-shapes' };
    expect(await fail(sample([schedule('a blue circle')], {}, undefined, other))).toMatchObject({
      input: 'source',
      message: expect.stringContaining('"tiny-shapes"'),
    });
    expect(editSamplerNode.params.safeParse({ maxEdits: 17 }).success).toBe(false);
  });

  it('stops when the run is cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(sample([schedule('a blue circle')], {}, abort.signal)).rejects.toThrow('aborted');
  });
});
