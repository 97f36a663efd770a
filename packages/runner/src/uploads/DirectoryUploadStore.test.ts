import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_UPLOADS_DIR, defaultDataDir, DirectoryUploadStore } from './DirectoryUploadStore.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('DirectoryUploadStore', () => {
  it('stores content-addressed and reads back bytes, name and type', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-up-'));
    const store = new DirectoryUploadStore(path.join(dir, 'uploads'));
    const bytes = new TextEncoder().encode('pretend png');
    const rec = await store.put(bytes, '../../etc/cat.png', 'image/png');
    expect(rec.id).toBe(sha(bytes));
    expect(rec.name).toBe('cat.png'); // names are display only, never paths
    const again = await store.put(bytes, 'other.png', 'image/png');
    expect(again.id).toBe(rec.id);
    const back = await store.read(rec.id);
    expect(back).toMatchObject({ id: rec.id, name: 'other.png', mediaType: 'image/png' });
    expect(Buffer.from(back!.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('answers undefined for malformed ids, unknown ids and a missing folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-up-'));
    const store = new DirectoryUploadStore(dir);
    for (const id of ['', '../x', 'A'.repeat(64), `${'a'.repeat(63)}/`, `${'a'.repeat(64)}.png`])
      expect(await store.read(id)).toBeUndefined();
    expect(await store.read('a'.repeat(64))).toBeUndefined();
    expect(await new DirectoryUploadStore(path.join(dir, 'nope')).read('a'.repeat(64))).toBeUndefined();
  });

  it('refuses a file that links outside the folder, and a file whose bytes no longer match its id', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ptp-up-'));
    const uploads = path.join(dir, 'uploads');
    mkdirSync(uploads);
    const secret = new TextEncoder().encode('secret outside the uploads folder');
    writeFileSync(path.join(dir, 'secret.png'), secret);
    symlinkSync(path.join(dir, 'secret.png'), path.join(uploads, `${sha(secret)}.png`));
    const store = new DirectoryUploadStore(uploads);
    expect(await store.read(sha(secret))).toBeUndefined();
    const rec = await store.put(new TextEncoder().encode('original'), 'a.png', 'image/png');
    writeFileSync(path.join(uploads, `${rec.id}.png`), 'tampered');
    expect(await store.read(rec.id)).toBeUndefined();
  });

  it('reads the bundled example uploads and finds the data dir from PTP_DATA_DIR', async () => {
    const store = new DirectoryUploadStore(BUNDLED_UPLOADS_DIR);
    const id = 'b6d263f7cb77196a93b47c7d51394fca9e1577dac89deb7f0e28b97c23272051';
    const rec = await store.read(id);
    expect(rec).toMatchObject({ name: 'red-circle.png', mediaType: 'image/png' });
    expect(sha(new Uint8Array(readFileSync(path.join(BUNDLED_UPLOADS_DIR, `${id}.png`))))).toBe(id);
    expect(defaultDataDir({ PTP_DATA_DIR: '/srv/ptp' })).toBe('/srv/ptp');
    expect(defaultDataDir({})).toMatch(/\.ptp-studio$/);
  });
});
