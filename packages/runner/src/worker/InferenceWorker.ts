import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunEvent, WorkerHealth } from '@ptp/graph-core';
import { RUNS_FROM_BUNDLE } from '../repoRoot.js';
import type { FromWorker, RunExecutor, RunJob, RunOutcome, ToWorker, WorkerConfig } from './workerProtocol.js';

/** From the built CLI (dist/ptp.mjs) the worker is dist/inferenceWorkerMain.mjs under plain node; from the sources, the .ts under tsx. */
const WORKER_MAIN = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  RUNS_FROM_BUNDLE ? 'inferenceWorkerMain.mjs' : 'inferenceWorkerMain.ts',
);

/** The TypeScript loader the worker runs under from the sources, or from the bundle when a --node-module is TypeScript. */
function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

export interface InferenceWorkerOptions extends WorkerConfig {
  /** How long a cancelled run may take to stop before the worker is killed. */
  cancelGraceMs?: number;
  /** How long the worker may take to start. */
  startTimeoutMs?: number;
  /** Wall-time budget of one run; past it the run is cancelled (then killed) and fails RUN_TIMEOUT. */
  maxRunMs?: number;
  log?: (message: string) => void;
}

interface Active {
  job: RunJob;
  onEvent: (event: RunEvent) => void;
  resolve: (outcome: RunOutcome) => void;
  startedAt: number;
  cancelTimer?: NodeJS.Timeout;
  runTimer?: NodeJS.Timeout;
  timedOut?: boolean;
}

/**
 * Runs jobs in a child process, one at a time. The child is started on first use and again after
 * it dies; a death during a run ends that run as interrupted (never retried here: the queue
 * decides). Cancelling asks the engine to stop and kills the child if it has not within the grace.
 */
export class InferenceWorker implements RunExecutor {
  readonly #options: InferenceWorkerOptions;
  #child: ChildProcess | undefined;
  #starting: Promise<ChildProcess> | undefined;
  #active: Active | undefined;
  #restarts = -1;
  #closed = false;
  #startFailures = 0;
  #lastStartError = '';
  /** Runs cancelled before they reached the child: they never begin. */
  readonly #cancelledEarly = new Set<string>();

  constructor(options: InferenceWorkerOptions) {
    this.#options = options;
  }

  /** The worker's process id while it runs (tests kill it to prove the server survives). */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  status(): WorkerHealth {
    const base = {
      alive: this.#child !== undefined && this.#child.exitCode === null,
      restarts: Math.max(0, this.#restarts),
    };
    const problem = this.#problem();
    return problem ? { ...base, acceptingRuns: false, problem } : { ...base, acceptingRuns: true };
  }

  #problem(): string | undefined {
    if (this.#closed) return 'the inference worker is closed';
    if (this.#startFailures >= 3)
      return `the inference worker failed to start ${this.#startFailures} times: ${this.#lastStartError}`;
    const active = this.#active;
    const limit = this.#options.maxRunMs;
    // Timeout, then the cancel grace, then the kill: a run still held after all that is wedged.
    if (
      active &&
      limit !== undefined &&
      Date.now() - active.startedAt > limit + 2 * (this.#options.cancelGraceMs ?? 10_000) + 5000
    )
      return `run ${active.job.runId} is stuck past its time budget`;
    return undefined;
  }

  /** Starts the child ahead of the first run (so the first run doesn't pay for it). */
  async warm(): Promise<void> {
    await this.#ensure();
  }

  async execute(job: RunJob, onEvent: (event: RunEvent) => void): Promise<RunOutcome> {
    if (this.#active) throw new Error('the inference worker runs one job at a time');
    let child: ChildProcess;
    try {
      child = await this.#ensure();
      this.#startFailures = 0;
    } catch (err) {
      this.#startFailures++;
      this.#lastStartError = (err as Error).message;
      return { status: 'interrupted', errors: [], outputs: [], crashed: (err as Error).message };
    }
    if (this.#cancelledEarly.delete(job.runId)) return { status: 'interrupted', errors: [], outputs: [] };
    return new Promise<RunOutcome>((resolve) => {
      const active: Active = { job, onEvent, resolve, startedAt: Date.now() };
      this.#active = active;
      // A hand-off that fails (a message IPC cannot carry) fails this run alone; the next one runs.
      const handOffFailed = (err: Error) => {
        if (this.#active !== active) return;
        this.#options.log?.(`run ${job.runId}: hand-off to the inference worker failed: ${err.message}`);
        this.#finish({
          status: 'error',
          outputs: [],
          errors: [
            {
              code: 'NODE_FAILED',
              severity: 'error',
              message: `the run could not be handed to the inference worker: ${err.message}`,
            },
          ],
        });
      };
      try {
        child.send({ type: 'run', job } satisfies ToWorker, (err) => {
          if (err) handOffFailed(err);
        });
      } catch (err) {
        handOffFailed(err as Error);
        return;
      }
      const limit = this.#options.maxRunMs;
      if (limit !== undefined) {
        active.runTimer = setTimeout(() => {
          active.timedOut = true;
          this.#options.log?.(`run ${job.runId} passed its time budget of ${limit / 1000} s; stopping it`);
          this.cancel(job.runId);
        }, limit);
      }
    });
  }

  cancel(runId: string): void {
    const active = this.#active;
    if (!active || active.job.runId !== runId) {
      // Not sent to the child yet (it may be starting): the run will end before it begins.
      this.#cancelledEarly.add(runId);
      return;
    }
    if (active.cancelTimer) return;
    this.#child?.send({ type: 'cancel', runId } satisfies ToWorker);
    active.cancelTimer = setTimeout(() => {
      this.#options.log?.(
        `run ${runId} did not stop within ${this.#options.cancelGraceMs ?? 10_000} ms of cancel; killing the worker`,
      );
      this.#child?.kill('SIGKILL');
    }, this.#options.cancelGraceMs ?? 10_000);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  #ensure(): Promise<ChildProcess> {
    if (this.#closed) return Promise.reject(new Error('the inference worker is closed'));
    if (this.#child && this.#child.exitCode === null && !this.#starting) return Promise.resolve(this.#child);
    this.#starting ??= this.#spawn().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  #spawn(): Promise<ChildProcess> {
    this.#restarts++;
    const child = fork(WORKER_MAIN, [], {
      execArgv:
        !RUNS_FROM_BUNDLE || this.#options.nodeModules?.some((m) => /\.[cm]?tsx?$/.test(m))
          ? ['--import', tsxLoader()]
          : [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.#child = child;
    const { cancelGraceMs: _c, startTimeoutMs: _s, maxRunMs: _m, log: _l, ...config } = this.#options;
    return new Promise<ChildProcess>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the inference worker did not start in time'));
      }, this.#options.startTimeoutMs ?? 60_000);
      child.on('message', (msg: FromWorker) => {
        if (msg.type === 'ready') {
          clearTimeout(timer);
          resolve(child);
        } else if (msg.type === 'fatal') {
          clearTimeout(timer);
          child.kill('SIGKILL');
          reject(new Error(msg.message));
        } else this.#onMessage(msg);
      });
      child.on('error', (err) => this.#options.log?.(`inference worker: ${err.message}`));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the inference worker exited while starting (${signal ?? `code ${code}`})`));
        if (this.#child === child) this.#child = undefined;
        const active = this.#active;
        if (active) {
          this.#finish({
            status: 'interrupted',
            errors: [],
            outputs: [],
            crashed: `the inference worker exited (${signal ?? `code ${code}`}) during the run`,
          });
        }
      });
      child.send({ type: 'init', config } satisfies ToWorker);
    });
  }

  #onMessage(msg: FromWorker): void {
    const active = this.#active;
    if (msg.type === 'event') {
      if (active && msg.event.runId === active.job.runId) active.onEvent(msg.event);
    } else if (msg.type === 'done') {
      if (active && msg.runId === active.job.runId) this.#finish(msg.outcome);
    }
  }

  #finish(outcome: RunOutcome): void {
    const active = this.#active;
    if (!active) return;
    clearTimeout(active.cancelTimer);
    clearTimeout(active.runTimer);
    this.#active = undefined;
    if (active.timedOut && outcome.status !== 'success') {
      const seconds = (this.#options.maxRunMs ?? 0) / 1000;
      outcome = {
        status: 'error',
        outputs: [],
        errors: [
          {
            code: 'RUN_TIMEOUT',
            severity: 'error',
            message: `the run took longer than this server's limit of ${seconds} s and was stopped (ptp serve --max-run-seconds)`,
          },
        ],
      };
    }
    active.resolve(outcome);
  }
}
