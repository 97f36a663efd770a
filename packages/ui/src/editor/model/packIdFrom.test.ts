import { PACK_ID_PATTERN } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { packIdFrom } from './packIdFrom';

describe('packIdFrom', () => {
  it("offers an export's name as a pack id the server takes", () => {
    expect(packIdFrom('tiny-random')).toBe('tiny-random');
    expect(packIdFrom('  My SD 1.5 Export!! ')).toBe('my-sd-1-5-export');
    expect(packIdFrom('×××')).toBe('');
    for (const name of ['A'.repeat(100), 'stable_diffusion v1.5 (fp16)', '--x--'])
      expect(PACK_ID_PATTERN.test(packIdFrom(name))).toBe(true);
  });
});
