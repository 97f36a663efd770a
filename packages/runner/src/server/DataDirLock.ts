import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/** `<dataDir>/server.lock`: which server runs the data dir's embedded queue. */
export const dataDirLockSchema = z.object({
  pid: z.number().int(),
  url: z.string(),
  startedAt: z.string(),
});
export type DataDirLockOwner = z.infer<typeof dataDirLockSchema>;

export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
  constructor(
    readonly dataDir: string,
    readonly owner: DataDirLockOwner,
  ) {
    super(
      `data dir ${dataDir} is in use by the studio server at ${owner.url} (pid ${owner.pid}, since ${owner.startedAt}): ` +
        'stop that server, or start this one with another --data dir',
    );
  }
}

export interface DataDirLock {
  /** The previous owner whose lock was stale (its process gone or not answering), if any. */
  readonly tookOverFrom: DataDirLockOwner | undefined;
  release(): void;
}

// Locks this process holds: a lock naming our own pid is ours only if it is in here (a container
// restarted with the same pid left a stale one).
const held = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok || res.status === 401;
  } catch {
    return false;
  }
}

function readOwner(file: string): DataDirLockOwner | undefined {
  try {
    const parsed = dataDirLockSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the data dir for one server. Two servers on one data dir would each recover the other's
 * running runs as interrupted and run each other's queue; the second one is refused instead. A
 * lock is stale when its process is gone, or alive but no studio answers at its URL (a reused pid).
 */
export async function lockDataDir(
  dataDir: string,
  url: string,
  options: { probeTimeoutMs?: number } = {},
): Promise<DataDirLock> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(path.resolve(dataDir), 'server.lock');
  const mine: DataDirLockOwner = { pid: process.pid, url, startedAt: new Date().toISOString() };
  let tookOverFrom: DataDirLockOwner | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
    }
    const owner = readOwner(file);
    const ours = owner?.pid === process.pid && held.has(file);
    if (owner && (ours || (owner.pid !== process.pid && processAlive(owner.pid))))
      if (ours || (await answers(owner.url, options.probeTimeoutMs ?? 2000)))
        throw new DataDirInUseError(dataDir, owner);
    tookOverFrom = owner;
    rmSync(file, { force: true });
  }
  held.add(file);
  let released = false;
  return {
    tookOverFrom,
    release: () => {
      if (released) return;
      released = true;
      held.delete(file);
      // Only our own lock: never remove one a later server wrote after taking over a stale one.
      const now = readOwner(file);
      if (now?.pid === mine.pid && now.startedAt === mine.startedAt) rmSync(file, { force: true });
    },
  };
}
