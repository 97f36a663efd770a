import { zlibSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zlibBomb } from '../../testing/pngBombs.js';
import { inflateBounded, inflateBoundedAsync, InflateLimitError } from './boundedInflate.js';

describe('inflateBounded', () => {
  it('inflates streams within the budget exactly, in one part or several', async () => {
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251);
    const z = zlibSync(data);
    expect(inflateBounded(z, data.length, 'x')).toEqual(data);
    const parts = [z.subarray(0, 10), z.subarray(10, 5000), z.subarray(5000)];
    expect(await inflateBoundedAsync(parts, data.length, 'x')).toEqual(data);
  });

  it('stops a 64 MiB bomb at the budget without allocating it, and names what and the limit', async () => {
    const bomb = zlibBomb(64 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(100 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => inflateBounded(bomb, 1024 * 1024, 'PNG text chunk zTXt')).toThrow(InflateLimitError);
    await expect(inflateBoundedAsync([bomb], 64 * 1024, 'PNG image data')).rejects.toThrow(
      /PNG image data inflates past its limit of 64 KiB/,
    );
    // Nothing near the inflated size was ever held.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 1024 * 1024);
  });

  it('lets other work run while it checks a large stream', async () => {
    const big = zlibSync(new Uint8Array(32 * 1024 * 1024).map((_, i) => i & 0xff));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await inflateBoundedAsync([big], 32 * 1024 * 1024, 'x', 8);
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });
});
