import { denoise, encodeText } from '@ptp/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffStats, openToyPack, readCase, readLatents, referenceInitialLatent, tolerance } from './support/referenceCases.js';

/**
 * The runtime stack (patcher, tokenizer, scheduler, sampling loop, onnxruntime) against runs of
 * the original Prompt-to-Prompt code with no edit: neutral controls must reproduce them.
 */
let toy: Awaited<ReturnType<typeof openToyPack>>;
beforeAll(async () => {
  toy = await openToyPack();
});
afterAll(() => toy.backend.release());

describe.each(['store-source', 'plain-pair'])('reference case %s (no control)', (name) => {
  it('matches the original implementation at every saved step', async () => {
    const c = readCase(name);
    const pack = await toy.backend.loadPack(toy.packId);
    for (let i = 0; i < c.prompts.length; i++) expect(pack.tokenizer.encodePadded(c.prompts[i]!).slice(0, c.token_ids[i]!.length)).toEqual(c.token_ids[i]);
    const N = c.prompts.length;
    const [, C, h, w] = c.shape;
    const one = referenceInitialLatent(C * h * w);
    const latents = new Float32Array(N * one.length);
    for (let n = 0; n < N; n++) latents.set(one, n * one.length);
    const context = await encodeText(pack, [...c.prompts.map(() => ''), ...c.prompts]);
    const seen = new Map<number, Float32Array>();
    await denoise({
      pack,
      scheduler: pack.createScheduler(c.scheduler),
      steps: c.steps,
      guidance: c.guidance,
      latents,
      latentDims: [N, C, h, w],
      context: context.data,
      contextDims: context.dims,
      onStep: ({ index, latents: x }) => {
        if (c.saved_steps.includes(index)) seen.set(index, x.slice());
      },
    });
    for (const step of c.saved_steps) {
      const d = diffStats(seen.get(step)!, readLatents(name, step));
      expect.soft(d.maxAbs, `step ${step} max abs`).toBeLessThanOrEqual(tolerance.cpu.max_abs);
      expect.soft(d.meanAbs, `step ${step} mean abs`).toBeLessThanOrEqual(tolerance.cpu.mean_abs);
    }
  });
});
