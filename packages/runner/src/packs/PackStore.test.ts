import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PACKS_DIR, PackNotFoundError, PackStore } from './PackStore.js';

/** The error resolving a pack id that is not there. */
const missing = (store: PackStore): Promise<Error> =>
  store.resolve('tiny-scenez').then(
    () => {
      throw new Error('resolved a pack that does not exist');
    },
    (e: Error) => e,
  );

describe('PackStore', () => {
  const empty = mkdtempSync(path.join(tmpdir(), 'ptp-packs-'));

  it('finds a bundled pack by id, searching the folders in order', async () => {
    const store = new PackStore([empty, BUNDLED_PACKS_DIR]);
    expect(await store.resolve('tiny-random')).toBe(path.join(BUNDLED_PACKS_DIR, 'tiny-random'));
    expect((await store.list()).map((p) => p.id)).toContain('tiny-random');
  });

  it('refuses ids that are not pack ids (no path ever comes from a graph)', async () => {
    for (const id of ['../packs/tiny-random', '/etc', 'Tiny', ''])
      await expect(new PackStore().resolve(id)).rejects.toBeInstanceOf(PackNotFoundError);
  });

  it('a missing pack lists the ids there are; the folders only where the reader owns them', async () => {
    const server = new PackStore([empty, BUNDLED_PACKS_DIR]);
    const error = await missing(server);
    expect(error).toBeInstanceOf(PackNotFoundError);
    expect(error.message).toMatch(/^no model pack "tiny-scenez"; available: .*tiny-random/);
    expect(error.message).not.toContain(empty);
    expect(error.message).not.toContain(BUNDLED_PACKS_DIR);

    const cli = new PackStore([empty, BUNDLED_PACKS_DIR], { sayFolders: true });
    expect((await missing(cli)).message).toContain(`(folders: ${empty}, `);
  });
});
