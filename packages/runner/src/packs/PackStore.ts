import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { PTP_MANIFEST_FILE } from '@ptp/nodes/diffusion';
import { REPO_ROOT } from '../repoRoot.js';

export const PACK_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** The packs committed with the project (tiny-random, and the trained default later). */
export const BUNDLED_PACKS_DIR = path.join(REPO_ROOT, 'models/packs');

export class PackNotFoundError extends Error {}

/**
 * The model packs a runner can see: every sub-folder of the configured folders that holds a
 * `ptp-manifest.json`. Graphs name packs by id only; ids never become paths without this check.
 */
export class PackStore {
  readonly dirs: readonly string[];
  readonly #sayFolders: boolean;

  /**
   * `sayFolders`: name the folders searched when a pack is missing. Only where the reader owns them
   * (the CLI run on their machine); a server's clients get the ids alone, not its paths.
   */
  constructor(dirs: readonly string[] = [BUNDLED_PACKS_DIR], options: { sayFolders?: boolean } = {}) {
    this.dirs = dirs.map((d) => path.resolve(d));
    this.#sayFolders = options.sayFolders ?? false;
  }

  async list(): Promise<{ id: string; dir: string }[]> {
    const found = new Map<string, string>();
    for (const dir of this.dirs) {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        continue; // a configured folder that does not exist yet holds no packs
      }
      for (const id of entries.sort()) {
        if (!PACK_ID.test(id) || found.has(id)) continue;
        if (await isFile(path.join(dir, id, PTP_MANIFEST_FILE))) found.set(id, path.join(dir, id));
      }
    }
    return [...found].map(([id, dir]) => ({ id, dir }));
  }

  /** The real folder of pack `id`, checked to lie inside a configured folder (symlinks resolved). */
  async resolve(id: string): Promise<string> {
    if (!PACK_ID.test(id)) throw new PackNotFoundError(`"${id}" is not a valid pack id`);
    for (const dir of this.dirs) {
      const candidate = path.join(dir, id);
      if (!(await isFile(path.join(candidate, PTP_MANIFEST_FILE)))) continue;
      const [realRoot, realPack] = await Promise.all([realpath(dir), realpath(candidate)]);
      if (!realPack.startsWith(realRoot + path.sep))
        throw new PackNotFoundError(`pack "${id}" resolves outside its folder`);
      return realPack;
    }
    const known = (await this.list()).map((p) => p.id);
    throw new PackNotFoundError(
      `no model pack "${id}"${known.length ? `; available: ${known.join(', ')}` : ''}` +
        (this.#sayFolders ? ` (folders: ${this.dirs.join(', ')})` : ''),
    );
  }
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

export async function readJson(p: string): Promise<unknown> {
  return JSON.parse(await readFile(p, 'utf8'));
}
