import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { LatentBatch } from '../image/ImageBatch.js';
import { randn } from '../pipeline/randn.js';
import { fakeContext, fakePack } from '../testing/fakePack.js';
import { textToImageNode } from './textToImageNode.js';

// Fake pack: image 32 px, VAE scale 4, UNet eps = 0.1 x sample whatever the prompt, so guidance
// changes nothing and each fake scheduler step multiplies the latents by 1 - 0.1 x 0.1 = 0.99.
const pack = fakePack();
const prompt = (text: string) => ({ text, words: text.split(' ') });
const generate = (params: Record<string, unknown>, signal?: AbortSignal, text = 'a red circle') =>
  textToImageNode.run(
    { model: pack, prompt: prompt(text), negative: undefined },
    textToImageNode.params.parse({ steps: 3, ...params }),
    fakeContext(signal ? { signal } : {}),
  ) as Promise<{ latent: LatentBatch }>;

describe('Text to image node', () => {
  it("denoises the seed's noise at the pack's size, reporting progress per step", async () => {
    const ctx = fakeContext();
    const { latent } = (await textToImageNode.run(
      { model: pack, prompt: prompt('a red circle'), negative: undefined },
      textToImageNode.params.parse({ steps: 3, seed: 7 }),
      ctx,
    )) as { latent: LatentBatch };
    expect(latent.dims).toEqual([1, 4, 8, 8]);
    expect(latent.packId).toBe('fake');
    const noise = randn(4 * 8 * 8, 7);
    latent.data.forEach((v, i) => expect(v).toBeCloseTo(noise[i]! * 0.99 ** 3, 5));
    expect(ctx.progressCalls).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    expect((await generate({ width: 16, height: 24 })).latent.dims).toEqual([1, 4, 6, 4]);
  });

  it('is deterministic for a seed and differs between seeds', async () => {
    const a = (await generate({ seed: 1 })).latent.data;
    expect((await generate({ seed: 1 })).latent.data).toEqual(a);
    expect((await generate({ seed: 2 })).latent.data).not.toEqual(a);
  });

  it('refuses sizes off the VAE grid and over-long prompts, naming the param or input', async () => {
    const err = await generate({ width: 30 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ param: 'width', code: 'INVALID_PARAM', message: expect.stringContaining('4') });
    expect(await generate({ height: 18 }).catch((e: unknown) => e)).toMatchObject({ param: 'height' });
    const long = Array.from({ length: 80 }, (_, i) => `w${i}`).join(' ');
    expect(await generate({}, undefined, long).catch((e: unknown) => e)).toMatchObject({ input: 'prompt' });
    expect(textToImageNode.params.safeParse({ width: 4096 }).success).toBe(false);
  });

  it('stops when the run is cancelled', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(generate({}, abort.signal)).rejects.toThrow('aborted');
  });
});

describe('steps default', () => {
  it('is 20 for new nodes; a v1 document that left steps out keeps the 50 it meant', () => {
    expect(textToImageNode.params.parse({}).steps).toBe(20);
    expect(textToImageNode.version).toBe(2);
    expect(textToImageNode.migrations![1]!({ seed: 3 })).toEqual({ seed: 3, steps: 50 });
    expect(textToImageNode.migrations![1]!({ steps: 7 })).toEqual({ steps: 7 });
  });
});
