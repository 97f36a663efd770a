import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { LatentBatch } from '../image/ImageBatch.js';
import { randn } from '../pipeline/randn.js';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import type { AttentionValue, SourceValue } from '../values.js';
import { captureSourceNode } from './captureSourceNode.js';

// Fake pack: each step multiplies the latents by 0.99 (see textToImageNode.test.ts); attention is uniform.
const pack = fakePack();
const prompt = { text: 'a red circle', words: ['a', 'red', 'circle'] };
type Out = { source: SourceValue; latent: LatentBatch; attention: AttentionValue };
const capture = (params: Record<string, unknown>, o: { noise?: LatentBatch; signal?: AbortSignal } = {}) =>
  captureSourceNode.run(
    { model: pack, prompt, negative: undefined, noise: o.noise },
    captureSourceNode.params.parse({ steps: 3, ...params }),
    fakeContext(o.signal ? { signal: o.signal } : {}),
  ) as Promise<Out>;

describe('Attention capture node', () => {
  it('samples the source from its seed, keeping every step and the attention of each', async () => {
    const out = await capture({ seed: 5 });
    const noise = randn(256, 5);
    expect(out.latent.dims).toEqual([1, 4, 8, 8]);
    out.latent.data.forEach((v, i) => expect(v).toBeCloseTo(noise[i]! * 0.99 ** 3, 5));
    expect(out.source).toMatchObject({
      kind: 'generated',
      packId: 'fake',
      prompt,
      negativeText: '',
      latentDims: [1, 4, 8, 8],
      sampling: { steps: 3, seed: 5 },
    });
    expect(out.source.initialNoise).toEqual(noise);
    expect(out.source.trajectory).toHaveLength(3);
    expect(out.source.trajectory.at(-1)).toEqual(out.latent.data);
    expect(out.attention).toMatchObject({ packId: 'fake', prompts: ['a red circle'], steps: 3 });
    expect(out.attention.words[0]!.map((w) => w.word)).toEqual(['a', 'red', 'circle']);
    expect(captureSourceNode.summarize!(out)).toEqual({ prompt: 'a red circle', steps: 3, latent: [1, 4, 8, 8] });
    expect((await capture({ seed: 5 })).latent.data).toEqual(out.latent.data);
  });

  it('starts from connected noise instead of the seed, and refuses noise of the wrong shape', async () => {
    const data = new Float32Array(4 * 2 * 3).fill(1);
    const out = await capture({}, { noise: { data, dims: [1, 4, 2, 3], packId: 'fake' } });
    expect(out.latent.dims).toEqual([1, 4, 2, 3]);
    out.latent.data.forEach((v) => expect(v).toBeCloseTo(0.99 ** 3, 5));
    const err = await capture({}, { noise: { data, dims: [1, 3, 2, 4], packId: 'fake' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ input: 'noise' });
  });

  it('refuses a width off the VAE grid, naming the param, and stops when cancelled', async () => {
    expect(await capture({ width: 30 }).catch((e: unknown) => e)).toMatchObject({ param: 'width' });
    const abort = new AbortController();
    abort.abort();
    await expect(capture({}, { signal: abort.signal })).rejects.toThrow('aborted');
  });
});
