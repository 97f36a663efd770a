import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { UnetLayout } from '../runtime/InferenceBackend.js';
import { checkRunMemory, estimateUnetMemory } from './runMemory.js';

// The shape of the bundled 32 px pack: 8x8 latents, self/cross attention at 8x8, 4x4, 2x2, 4 heads.
const layer = (kind: 'self' | 'cross', downsample: number) => ({
  id: `${kind}${downsample}`,
  kind,
  index: 0,
  downsample,
  group: '',
  heads: 4,
});
const pack = {
  vaeScale: 4,
  defaultImageSize: 32,
  layout: {
    tokenLength: 16,
    latentChannels: 4,
    layers: [layer('self', 1), layer('cross', 1), layer('self', 2), layer('self', 4)],
  } as unknown as UnetLayout,
};

describe('run memory estimate', () => {
  it('grows with the square of the latent cells (self attention) and linearly with the batch', () => {
    const native = estimateUnetMemory(pack, 1, 8, 8);
    expect(estimateUnetMemory(pack, 2, 8, 8)).toBeCloseTo(2 * native, -3);
    const at2x = estimateUnetMemory(pack, 1, 16, 16);
    expect(at2x / native).toBeGreaterThan(14);
  });

  it('refuses 1024x1024 on a 32 px pack before any allocation, naming the param; accepts its native size', () => {
    expect(() => checkRunMemory(pack, 2, 8, 8)).not.toThrow();
    let err: unknown;
    try {
      checkRunMemory(pack, 2, 256, 256);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NodeRunError);
    expect(err).toMatchObject({ code: 'MEMORY_LIMIT', param: 'width' });
    expect((err as Error).message).toMatch(
      /1024x1024 with 2 images needs about \d+\.\d GiB .*made for 32x32.*limit is 8\.0 GiB/,
    );
    expect(() => checkRunMemory(pack, 1, 8, 1024, 2 ** 30)).toThrow(expect.objectContaining({ param: 'width' }));
    expect(() => checkRunMemory(pack, 1, 1024, 8, 2 ** 30)).toThrow(expect.objectContaining({ param: 'height' }));
  });
});
