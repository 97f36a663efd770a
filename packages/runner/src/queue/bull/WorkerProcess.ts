import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WORKER_ENTRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'workerEntry.ts');

/**
 * A `ptp worker` process (the worker command under tsx, without the rest of the CLI), for tests
 * and benchmarks that need real workers on this machine. Its output is kept for failure messages.
 */
export class WorkerProcess {
  readonly child: ChildProcess;
  output = '';
  readonly ready: Promise<void>;
  readonly exited: Promise<number | null>;

  constructor(
    readonly id: string,
    args: string[],
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    this.child = spawn(process.execPath, ['--import', tsx, WORKER_ENTRY, '--id', id, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.ready = new Promise((resolve, reject) => {
      const onData = (d: Buffer) => {
        this.output += d.toString();
        if (this.output.includes(`ptp worker ${id} ready`)) resolve();
      };
      this.child.stdout!.on('data', onData);
      this.child.stderr!.on('data', onData);
      void this.exited.then((code) =>
        reject(new Error(`worker ${id} exited (${code}) before it was ready:\n${this.output}`)),
      );
    });
    // A rejected `ready` nobody awaits any more (the worker was stopped on purpose) is not an error.
    this.ready.catch(() => undefined);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** SIGTERM (graceful: the current run finishes or is handed back), then waits for the exit. */
  async stop(): Promise<number | null> {
    this.kill('SIGTERM');
    return this.exited;
  }
}

/** Starts `n` workers at once and waits until each is serving. */
export async function startWorkers(
  n: number,
  redisUrl: string,
  extraArgs: string[] = [],
  idPrefix = 'w',
): Promise<WorkerProcess[]> {
  const workers = Array.from(
    { length: n },
    (_, i) => new WorkerProcess(`${idPrefix}${i + 1}`, ['--redis', redisUrl, ...extraArgs]),
  );
  try {
    await Promise.all(workers.map((w) => w.ready));
  } catch (err) {
    await Promise.all(workers.map((w) => w.stop()));
    throw err;
  }
  return workers;
}
