import { describe, expect, it } from 'vitest';
import { cacheUntilRejected } from './cacheUntilRejected.js';

describe('cacheUntilRejected', () => {
  it('creates once per key and hands every caller the same promise', async () => {
    const cache = new Map<string, Promise<number>>();
    let created = 0;
    const create = async () => ++created;
    const a = cacheUntilRejected(cache, 'k', create);
    expect(cacheUntilRejected(cache, 'k', create)).toBe(a);
    expect(await a).toBe(1);
    expect(await cacheUntilRejected(cache, 'other', create)).toBe(2);
  });

  it('forgets a rejected promise so a later call tries again', async () => {
    const cache = new Map<string, Promise<string>>();
    await expect(cacheUntilRejected(cache, 'k', () => Promise.reject(new Error('not yet')))).rejects.toThrow('not yet');
    expect(cache.has('k')).toBe(false);
    expect(await cacheUntilRejected(cache, 'k', async () => 'fixed')).toBe('fixed');
  });
});
