import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called: exit code 2 with the message and usage, no stack. */
export class UsageError extends Error {
  /** False for a mistake the message alone explains (a missing file): no usage after it. */
  readonly showUsage: boolean;
  constructor(message: string, options: { showUsage?: boolean } = {}) {
    super(message);
    this.showUsage = options.showUsage ?? true;
  }
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'is a folder, not a file',
  EACCES: 'permission denied',
  ENOTDIR: 'a part of the path is not a folder',
};

/** A file named on the command line could not be read: said in words, without the usage. */
export function cannotRead(file: string, err: unknown): UsageError {
  const code = (err as NodeJS.ErrnoException).code;
  return new UsageError(`cannot read ${file}: ${(code && READ_ERRORS[code]) ?? code ?? (err as Error).message}`, {
    showUsage: false,
  });
}

/**
 * An output folder (made when missing) that can be made and written: said before the work, not
 * after it when its files cannot be written. Looks up to the nearest folder that exists.
 */
export async function checkOutDir(outDir: string, flag = '--out'): Promise<void> {
  for (let at = outDir; ; at = path.dirname(at)) {
    const found = await stat(at).catch(() => undefined);
    if (found && !found.isDirectory())
      throw new UsageError(
        at === outDir
          ? `${flag} ${outDir} is a file; ${flag} takes a folder (made when missing)`
          : `${flag} ${outDir}: ${at} is a file, so no folder can be made in it`,
        { showUsage: false },
      );
    if (found) {
      const writable = await access(at, constants.W_OK).then(
        () => true,
        () => false,
      );
      if (!writable) throw new UsageError(`${flag} ${outDir}: ${at} is not writable here`, { showUsage: false });
      return;
    }
    if (path.dirname(at) === at) return;
  }
}

/** `pnpm ptp` runs from the repo root; resolve user paths against where the user typed the command. */
export function resolveUserPath(p: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
};

export type Command = (args: string[], io: Io) => Promise<number>;
