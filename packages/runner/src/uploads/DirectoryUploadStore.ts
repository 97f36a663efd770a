import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import type { UploadRecord, UploadStore } from '@ptp/nodes';
import { REPO_ROOT } from '../repoRoot.js';

/** Upload ids are sha256 hex; anything else never reaches the file system. */
export const UPLOAD_ID = /^[0-9a-f]{64}$/;

/** Example uploads committed with the project, so example workflows run from a fresh clone. */
export const BUNDLED_UPLOADS_DIR = path.join(REPO_ROOT, 'examples/uploads');

/** The studio's data folder: $PTP_DATA_DIR, else ~/.ptp-studio. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.PTP_DATA_DIR ? path.resolve(env.PTP_DATA_DIR) : path.join(homedir(), '.ptp-studio');
}

const EXT: Record<string, string> = { 'image/png': '.png', 'image/jpeg': '.jpg', 'image/webp': '.webp' };
/** Every extension an upload's bytes may be stored under (`.bin`: a type with none of its own). */
const ANY_EXT = [...Object.values(EXT), '.bin'];

interface Meta {
  name: string;
  mediaType: string;
}

/**
 * Uploads in one folder, content-addressed: the id is the sha256 of the bytes, so the same file
 * uploads once and a graph naming an id always means the same pixels. Bytes live in `<id><ext>`
 * (an extension only so people browsing the folder can open them), the original name and media
 * type in `<id>.json`. Reads accept only well-formed ids and resolve symlinks before checking
 * that the file is inside the folder.
 */
export class DirectoryUploadStore implements UploadStore {
  constructor(readonly dir: string) {}

  async put(bytes: Uint8Array, name: string, mediaType: string): Promise<UploadRecord> {
    const id = createHash('sha256').update(bytes).digest('hex');
    await mkdir(this.dir, { recursive: true });
    const ext = EXT[mediaType] ?? '.bin';
    const meta: Meta = { name: path.basename(name).slice(0, 200), mediaType };
    // Each write goes to its own temp file, then one atomic rename: a reader never sees half a
    // file, and identical concurrent uploads all succeed (the last rename wins with equal bytes).
    await this.#writeAtomic(id + ext, bytes);
    await this.#writeAtomic(`${id}.json`, `${JSON.stringify(meta)}\n`);
    return { id, ...meta, bytes };
  }

  async #writeAtomic(name: string, data: Uint8Array | string): Promise<void> {
    const tmp = path.join(this.dir, `.${name}.${randomUUID()}.tmp`);
    try {
      await writeFile(tmp, data);
      await rename(tmp, path.join(this.dir, name));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Whether an upload with this id is here, from the file names alone (a check before a run is
   * queued; `read` still verifies the bytes when it runs).
   */
  has(id: string): boolean {
    return UPLOAD_ID.test(id) && ANY_EXT.some((ext) => existsSync(path.join(this.dir, id + ext)));
  }

  async read(id: string): Promise<UploadRecord | undefined> {
    if (!UPLOAD_ID.test(id)) return undefined;
    const root = await realpath(this.dir).catch(() => undefined);
    if (!root) return undefined;
    const meta = await this.#meta(root, id);
    for (const ext of meta ? [EXT[meta.mediaType] ?? '.bin'] : ANY_EXT) {
      const file = await this.#inside(root, `${id}${ext}`);
      if (!file) continue;
      const bytes = new Uint8Array(await readFile(file));
      // Content addressing is a promise: a file edited in place no longer answers to its old id.
      if (createHash('sha256').update(bytes).digest('hex') !== id) return undefined;
      const mediaType =
        meta?.mediaType ?? Object.entries(EXT).find(([, e]) => e === ext)?.[0] ?? 'application/octet-stream';
      return { id, name: meta?.name ?? `${id}${ext}`, mediaType, bytes };
    }
    return undefined;
  }

  async #meta(root: string, id: string): Promise<Meta | undefined> {
    const file = await this.#inside(root, `${id}.json`);
    if (!file) return undefined;
    try {
      const m = JSON.parse(await readFile(file, 'utf8')) as Partial<Meta>;
      return typeof m.name === 'string' && typeof m.mediaType === 'string'
        ? { name: m.name, mediaType: m.mediaType }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** The real path of `name` in the folder, or undefined when missing or (through a link) outside it. */
  async #inside(root: string, name: string): Promise<string | undefined> {
    const real = await realpath(path.join(root, name)).catch(() => undefined);
    if (!real) return undefined;
    return real.startsWith(root + path.sep) ? real : undefined;
  }
}
