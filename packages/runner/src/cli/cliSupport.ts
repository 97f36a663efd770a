import path from 'node:path';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how the command was called: exit code 2 with the message and usage, no stack. */
export class UsageError extends Error {}

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
