import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { PtpPackError } from './PtpPackError.js';

/** Files at least this big are hard-linked into the pack when the filesystem allows (else copied). */
const LINK_THRESHOLD = 64 * 1024 * 1024;

export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Streams a file through SHA-256 (never holds a multi-GB file in memory). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Real path of `path`, refusing symlinks that lead outside `realRoot` (the export folder). */
export async function realInside(path: string, realRoot: string, shown: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    throw new PtpPackError('IO_ERROR', `cannot read ${shown}: ${(err as Error).message}`, shown);
  }
  if (!isInside(realRoot, real)) {
    throw new PtpPackError(
      'PATH_ESCAPES',
      `${shown} is a symlink to ${real}, outside the export folder; copy the real files into the export (e.g. cp -rL) and import again`,
      shown,
    );
  }
  return real;
}

/** Regular files under `dir`, as paths relative to it (symlinks followed only inside `realRoot`). */
export async function listFiles(dir: string, realRoot: string, shownPrefix: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(join(dir, rel))) {
      const relPath = rel ? `${rel}/${entry}` : entry;
      const abs = join(dir, relPath);
      const info = await lstat(abs);
      const real = info.isSymbolicLink() ? await realInside(abs, realRoot, `${shownPrefix}/${relPath}`) : abs;
      const target = info.isSymbolicLink() ? await stat(real) : info;
      if (target.isDirectory()) await walk(relPath);
      else if (target.isFile()) out.push(relPath);
    }
  };
  await walk('');
  return out.sort();
}

/** Places `src` at `dst`: hard link for big files when possible, copy otherwise. */
export async function placeFile(src: string, dst: string): Promise<void> {
  await mkdir(dirname(dst), { recursive: true });
  const real = await realpath(src);
  if ((await stat(real)).size >= LINK_THRESHOLD) {
    try {
      await link(real, dst);
      return;
    } catch {
      // Other filesystem or no permission: fall through to a copy.
    }
  }
  await copyFile(real, dst);
}
