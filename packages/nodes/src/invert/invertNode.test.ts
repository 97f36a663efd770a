import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { ImageBatch, LatentBatch } from '../image/ImageBatch.js';
import type { Scheduler } from '../runtime/InferenceBackend.js';
import { fakeContext, fakePack, fakeScheduler } from '../testing/fakePack.js';
import type { AttentionValue, SourceValue } from '../values.js';
import { invertNode } from './invertNode.js';

// Latents [1, 4, 8, 8] decode to 32x32 pictures. The fake pack has no inverse scheduler: this one
// steps towards noise, x + 0.1 x eps, and with the fake UNet (eps = 0.1 x) multiplies by 1.01 a step.
const pack = {
  ...fakePack(),
  createInverseScheduler: (): Scheduler => {
    const step: Scheduler['step'] = (out, _t, sample) => sample.map((v, i) => v + 0.1 * out[i]!) as typeof sample;
    return Object.assign(fakeScheduler(), { step });
  },
};
const prompt = { text: 'a red circle', words: ['a', 'red', 'circle'] };
const latent = (dims: [number, number, number, number] = [1, 4, 8, 8], packId = 'fake'): LatentBatch => ({
  data: Float32Array.from({ length: dims.reduce((a, b) => a * b) }, (_, i) => ((i % 13) - 6) / 10),
  dims,
  packId,
});
type Out = { source: SourceValue; noise: LatentBatch; attention: AttentionValue };
const invert = (
  inputs: { latent?: LatentBatch; image?: ImageBatch } = {},
  params: Record<string, unknown> = {},
  signal?: AbortSignal,
) =>
  invertNode.run(
    { model: pack, latent: inputs.latent ?? latent(), prompt, image: inputs.image },
    invertNode.params.parse({ steps: 3, ...params }),
    fakeContext(signal ? { signal } : {}),
  ) as Promise<Out>;

describe('Invert node', () => {
  it('inverts the latent into a source with its trajectory, the inverted noise and the attention', async () => {
    const input = latent();
    const out = await invert({ latent: input }, { method: 'ddim' });
    expect(out.source).toMatchObject({ kind: 'inverted', packId: 'fake', prompt, latentDims: [1, 4, 8, 8] });
    if (out.source.kind !== 'inverted') throw new Error('expected an inverted source');
    expect(out.source.inversion.method).toBe('ddim');
    expect(out.source.inversion.latents).toHaveLength(4);
    expect(out.source.inversion.latents[0]).toEqual(input.data);
    expect(out.noise).toMatchObject({ dims: [1, 4, 8, 8], packId: 'fake' });
    expect(out.noise.data).toEqual(out.source.inversion.latents[3]);
    out.noise.data.forEach((v, i) => expect(v).toBeCloseTo(input.data[i]! * 1.01 ** 3, 5));
    // No image connected: the reference is the decoded latent, at the pack's picture size.
    expect([out.source.image.width, out.source.image.height]).toEqual([32, 32]);
    expect(out.attention.packId).toBe('fake');
    expect(invertNode.summarize!(out)).toEqual({ prompt: 'a red circle', method: 'ddim', steps: 3 });
    expect((await invert({ latent: input }, { method: 'ddim' })).noise.data).toEqual(out.noise.data);
  });

  it('names the input for latents of another pack, a batch, wrong channels or a mismatched image', async () => {
    const noInverse = await Promise.resolve(
      invertNode.run(
        { model: fakePack(), latent: latent(), prompt, image: undefined },
        invertNode.params.parse({ steps: 1 }),
        fakeContext(),
      ),
    ).catch((e: unknown) => e);
    expect(noInverse).toMatchObject({ input: 'model', message: expect.stringContaining('inverse') });
    const fail = (inputs: { latent?: LatentBatch; image?: ImageBatch }) => invert(inputs).catch((e: unknown) => e);
    const other = await fail({ latent: latent([1, 4, 8, 8], 'tiny-shapes') });
    expect(other).toBeInstanceOf(NodeRunError);
    expect(other).toMatchObject({ input: 'latent', message: expect.stringContaining('"tiny-shapes"') });
    expect(await fail({ latent: latent([2, 4, 8, 8]) })).toMatchObject({ input: 'latent' });
    expect(await fail({ latent: latent([1, 3, 8, 8]) })).toMatchObject({ input: 'latent' });
    const small = { width: 16, height: 16, rgba: new Uint8Array(16 * 16 * 4) };
    expect(await fail({ image: { images: [small] } })).toMatchObject({ input: 'image' });
  });

  it('stops when the run is cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(invert({}, {}, abort.signal)).rejects.toThrow('aborted');
  });
});
