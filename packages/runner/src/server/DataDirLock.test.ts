import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './DataDirLock.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'ptp-lock-'));
const lockFile = (d: string) => path.join(d, 'server.lock');
const writeLock = (d: string, pid: number, url: string) =>
  writeFileSync(lockFile(d), JSON.stringify({ pid, url, startedAt: '2026-01-01T00:00:00.000Z' }));

describe('lockDataDir', () => {
  it('refuses a second server of this process on the same data dir until the first releases it', async () => {
    const d = dir();
    const first = await lockDataDir(d, 'http://127.0.0.1:1111');
    expect(JSON.parse(readFileSync(lockFile(d), 'utf8'))).toMatchObject({
      pid: process.pid,
      url: 'http://127.0.0.1:1111',
    });
    const refused = await lockDataDir(d, 'http://127.0.0.1:2222').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as DataDirInUseError).message).toContain('in use by the studio server at http://127.0.0.1:1111');
    first.release();
    expect(existsSync(lockFile(d))).toBe(false);
    const second = await lockDataDir(d, 'http://127.0.0.1:2222');
    expect(second.tookOverFrom).toBeUndefined();
    second.release();
  });

  it('refuses while another live process answers at the lock URL', async () => {
    const d = dir();
    const http = createServer((_req, res) => res.end('{}')).listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
      writeLock(d, process.ppid, url);
      await expect(lockDataDir(d, 'http://127.0.0.1:2222')).rejects.toBeInstanceOf(DataDirInUseError);
      expect(JSON.parse(readFileSync(lockFile(d), 'utf8')).url).toBe(url); // left as it was
    } finally {
      http.close();
    }
  });

  it('takes over a stale lock: its process gone, a live pid with nothing answering, our own pid from before, garbage', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const cases: [number | undefined, string][] = [
      [Number(gone.stdout), 'http://127.0.0.1:1'],
      [process.ppid, 'http://127.0.0.1:1'],
      [process.pid, 'http://127.0.0.1:1'],
      [undefined, 'not json'],
    ];
    for (const [pid, url] of cases) {
      const d = dir();
      if (pid === undefined) writeFileSync(lockFile(d), url);
      else writeLock(d, pid, url);
      const lock = await lockDataDir(d, 'http://127.0.0.1:3333', { probeTimeoutMs: 500 });
      expect(lock.tookOverFrom?.pid).toBe(pid);
      expect(JSON.parse(readFileSync(lockFile(d), 'utf8')).url).toBe('http://127.0.0.1:3333');
      lock.release();
    }
  });

  it('release leaves a lock that a later server wrote', async () => {
    const d = dir();
    const lock = await lockDataDir(d, 'http://127.0.0.1:1111');
    writeLock(d, process.ppid, 'http://127.0.0.1:4444');
    lock.release();
    expect(JSON.parse(readFileSync(lockFile(d), 'utf8')).url).toBe('http://127.0.0.1:4444');
  });
});
