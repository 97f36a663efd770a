import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openRedis, quietRepeats, redactRedisUrl, reportOutages } from './redisConnection.js';
import { RedisServer } from './RedisServer.js';

describe('Redis outages in words', () => {
  afterEach(() => vi.useRealTimers());

  it('a Redis that goes away for seconds is said once (not per retry) with its URL, and its return is said', async () => {
    const server = await RedisServer.start();
    const lines: string[] = [];
    const redis = openRedis(server.url);
    try {
      reportOutages(redis, { url: server.url, label: 'redis', log: (m) => lines.push(m) });
      await once(redis, 'ready');
      await server.restart(2500); // ioredis retries several times meanwhile
      await redis.ping(); // commands wait through the outage
      for (let i = 0; i < 50 && !lines.some((l) => l.includes('again')); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(lines).toEqual([
        expect.stringMatching(/^redis: .*ECONNREFUSED.*; waiting for Redis at redis:\/\/127\.0\.0\.1:\d+ \(retrying/),
        'redis: connected to Redis again',
      ]);
    } finally {
      redis.disconnect();
      await server.stop();
    }
  }, 30_000);

  it('quietRepeats says a repeated message once per window, then how many it held back', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const say = quietRepeats((m) => lines.push(m), 60_000);
    say('route a: refused');
    say('route a: refused');
    say('route a: refused');
    say('route b: refused');
    vi.advanceTimersByTime(61_000);
    say('route b: refused');
    say('route b: refused');
    vi.advanceTimersByTime(61_000);
    say('route b: refused');
    expect(lines).toEqual([
      'route a: refused',
      'route b: refused',
      'route b: refused',
      'route b: refused (and 1 more like it)',
    ]);
  });

  it('URLs in logs hide the password', () => {
    expect(redactRedisUrl('redis://user:secret@host:6379/2')).toBe('redis://user:***@host:6379/2');
    expect(redactRedisUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
