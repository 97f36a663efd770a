import { randomUUID } from 'node:crypto';
import { readFile, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  API_LIMITS,
  errorContext,
  type RunDetail,
  type RunEvent,
  type RunFailure,
  type RunOutput,
  type RunRecord,
  type RunStatus,
} from '@ptp/graph-core';
import { apiFail, apiOk, type ApiResult } from '../ApiResult.js';
import type { RunExecutor, RunOutcome } from '../worker/workerProtocol.js';
import {
  resubmission,
  type PreparedRun,
  type QueueNotice,
  type QueueStats,
  type RunListOptions,
  type RunQueue,
  type SubmitOutcome,
} from './RunQueue.js';

/** Finished runs kept by default (with their outputs); `ptp serve --keep-runs` changes it. */
export const DEFAULT_KEEP_RUNS = 5000;
import type { RunStore } from './RunStore.js';

interface CurrentRun {
  runId: string;
  cancelRequested: boolean;
  progress?: RunRecord['progress'];
  done: Promise<void>;
}

export interface EmbeddedRunQueueOptions {
  store: RunStore;
  executor: RunExecutor;
  /** Run outputs go to `<outputsDir>/<runId>/`. */
  outputsDir: string;
  maxQueuedRuns?: number;
  /** Retention: finished runs beyond the newest this many are deleted with their outputs (default 5000). */
  keepRuns?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

/**
 * The default queue: runs persisted in SQLite, executed one at a time by a RunExecutor (the
 * inference worker process). Single process: the database is the source of truth and every
 * transition is written before it is announced.
 */
export class EmbeddedRunQueue implements RunQueue {
  readonly #store: RunStore;
  readonly #executor: RunExecutor;
  readonly #outputsDir: string;
  readonly #maxQueued: number;
  readonly #keepRuns: number;
  readonly #now: () => string;
  readonly #log: (message: string) => void;
  readonly #listeners = new Set<(notice: QueueNotice) => void>();
  /** The run executing now, with what only memory knows about it. */
  #current: CurrentRun | undefined;
  #started = false;
  #closed = false;

  constructor(options: EmbeddedRunQueueOptions) {
    this.#store = options.store;
    this.#executor = options.executor;
    this.#outputsDir = options.outputsDir;
    this.#maxQueued = options.maxQueuedRuns ?? API_LIMITS.maxQueuedRuns;
    this.#keepRuns = options.keepRuns ?? DEFAULT_KEEP_RUNS;
    const now = options.now ?? (() => new Date());
    this.#now = () => now().toISOString();
    this.#log = options.log ?? (() => {});
  }

  async start(): Promise<{ interrupted: string[]; queued: number }> {
    // Runs left 'running' belong to a process that died: say so, don't run them again.
    const interrupted: string[] = [];
    for (const run of this.#store.running()) {
      this.#terminate(run, 'interrupted', {
        code: 'INTERRUPTED',
        message: 'the server stopped while this run was executing; resubmit it to run it again',
      });
      interrupted.push(run.id);
    }
    this.#started = true;
    this.#pump();
    return { interrupted, queued: this.#store.count('queued') };
  }

  async submit(run: PreparedRun): Promise<ApiResult<SubmitOutcome>> {
    return this.#enqueue(run);
  }

  async submitted(clientRequestId: string): Promise<boolean> {
    return this.#store.byClientRequestId(clientRequestId) !== undefined;
  }

  async resubmit(runId: string): Promise<ApiResult<SubmitOutcome>> {
    const detail = this.#store.detail(runId);
    if (!detail) return apiFail('UNKNOWN_RUN', `unknown run "${runId}"`);
    if (!['interrupted', 'failed', 'cancelled'].includes(detail.status))
      return apiFail(
        'NOT_RESUBMITTABLE',
        `run "${runId}" is ${detail.status}; only interrupted, failed or cancelled runs are resubmitted`,
      );
    return this.#enqueue(resubmission(detail), runId);
  }

  async get(runId: string): Promise<RunDetail | undefined> {
    const detail = this.#store.detail(runId);
    return detail && this.#withProgress(detail);
  }

  async list(query: RunListOptions): Promise<RunRecord[]> {
    return this.#store.list(query).map((r) => this.#withProgress(r));
  }

  async delete(runId: string): Promise<ApiResult<{ id: string }>> {
    const run = this.#store.get(runId);
    if (!run) return apiFail('UNKNOWN_RUN', `unknown run "${runId}"`);
    if (run.status === 'queued' || run.status === 'running')
      return apiFail('NOT_DELETABLE', `run "${runId}" is ${run.status}; cancel it first`);
    await this.#remove(runId);
    return apiOk({ id: runId });
  }

  /** A final run's record, events and output folder; announced to queue followers. */
  async #remove(runId: string): Promise<void> {
    if (!this.#store.delete(runId)) return;
    await rm(path.join(this.#outputsDir, runId), { recursive: true, force: true }).catch((err: Error) =>
      this.#log(`could not delete the outputs of ${runId}: ${err.message}`),
    );
    this.#notify({ kind: 'deleted', runId });
  }

  /** Retention: the oldest finished runs beyond `keepRuns` go, outputs included. */
  async #applyRetention(): Promise<void> {
    for (const id of this.#store.beyond(this.#keepRuns)) await this.#remove(id);
  }

  async cancel(runId: string): Promise<ApiResult<RunRecord>> {
    const run = this.#store.get(runId);
    if (!run) return apiFail('UNKNOWN_RUN', `unknown run "${runId}"`);
    if (run.status === 'cancelled') return apiOk(run);
    if (run.status === 'queued') {
      if (this.#terminate(run, 'cancelled', { code: 'INTERRUPTED', message: 'cancelled before it started' }, false))
        return apiOk(this.#store.get(runId)!);
      return this.cancel(runId); // it started meanwhile
    }
    if (run.status === 'running' && this.#current?.runId === runId) {
      this.#current.cancelRequested = true;
      this.#executor.cancel(runId);
      return apiOk(run);
    }
    return apiFail('NOT_CANCELLABLE', `run "${runId}" is already ${run.status}`);
  }

  async events(runId: string, afterSeq: number): Promise<RunEvent[] | undefined> {
    if (!this.#store.get(runId)) return undefined;
    return this.#store.events(runId, afterSeq);
  }

  async readOutput(runId: string, name: string): Promise<{ output: RunOutput; data: Uint8Array } | undefined> {
    const run = this.#store.get(runId);
    const output = run?.outputs.find((o) => o.name === name);
    if (!run || !output) return undefined;
    // Only names the run recorded get here; still resolve links and require the file inside the run's folder.
    const root = await realpath(path.join(this.#outputsDir, runId)).catch(() => undefined);
    const file = root && (await realpath(path.join(root, output.name)).catch(() => undefined));
    if (!root || !file || !file.startsWith(root + path.sep)) return undefined;
    return { output, data: new Uint8Array(await readFile(file)) };
  }

  subscribe(listener: (notice: QueueNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async stats(): Promise<QueueStats> {
    return {
      queued: this.#store.count('queued'),
      running: this.#store.count('running'),
      paused: this.#store.paused(),
      worker: this.#executor.status(),
    };
  }

  async setPaused(paused: boolean): Promise<void> {
    if (this.#store.paused() === paused) return;
    this.#store.setPaused(paused);
    this.#notify({ kind: 'queue' });
    if (!paused) this.#pump();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    await this.#executor.close();
    await this.#current?.done;
  }

  #enqueue(run: PreparedRun, resubmittedFrom?: string): ApiResult<SubmitOutcome> {
    // An idempotent retry answers the first run whatever the queue's state (full, closing).
    const earlier = run.clientRequestId ? this.#store.byClientRequestId(run.clientRequestId) : undefined;
    if (earlier) return apiOk({ run: this.#withProgress(earlier), duplicate: true });
    if (this.#closed) return apiFail('QUEUE_FULL', 'the server is shutting down');
    if (this.#store.count('queued') >= this.#maxQueued)
      return apiFail('QUEUE_FULL', `the queue holds ${this.#maxQueued} runs already; try again later`);
    const id = `run_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const { record, duplicate } = this.#store.insert({
      id,
      name: run.workflow.metadata.name,
      options: run.options,
      workflow: run.workflow,
      createdAt: this.#now(),
      clientRequestId: run.clientRequestId,
      resubmittedFrom,
      batch: run.batch,
      front: run.front,
      seeds: run.seeds,
    });
    if (!duplicate) {
      this.#notify({ kind: 'status', run: record });
      queueMicrotask(() => this.#pump());
    }
    return apiOk({ run: this.#withProgress(record), duplicate });
  }

  #pump(): void {
    if (!this.#started || this.#closed || this.#current || this.#store.paused()) return;
    const next = this.#store.claimNext(this.#now());
    if (!next) return;
    const runId = next.record.id;
    const current: CurrentRun = { runId, cancelRequested: false, done: Promise.resolve() };
    this.#current = current;
    this.#notify({ kind: 'status', run: next.record });
    current.done = this.#executor
      .execute(
        { runId, workflow: next.workflow, options: next.options, outDir: path.join(this.#outputsDir, runId) },
        (event) => this.#onEvent(event),
      )
      .catch((err: Error): RunOutcome => ({ status: 'interrupted', errors: [], outputs: [], crashed: err.message }))
      .then((outcome) => this.#onDone(runId, outcome))
      .finally(() => {
        if (this.#current === current) this.#current = undefined;
        this.#pump();
      });
  }

  #onEvent(event: RunEvent): void {
    if (this.#closed) return;
    const stored = event.type === 'progress' && event.preview ? (({ preview: _p, ...rest }) => rest)(event) : event;
    try {
      this.#store.appendEvent(stored as RunEvent);
    } catch (err) {
      this.#log(`run ${event.runId}: could not record event ${event.seq}: ${(err as Error).message}`);
      return;
    }
    if (event.type === 'progress' && this.#current?.runId === event.runId)
      this.#current.progress = { nodeId: event.nodeId, value: event.value, max: event.max };
    if (event.type === 'node_executed' && this.#current?.runId === event.runId) delete this.#current.progress;
    this.#notify({ kind: 'event', runId: event.runId, event });
  }

  #onDone(runId: string, outcome: RunOutcome): void {
    if (this.#closed) return; // left 'running' in the database: the next start marks it interrupted
    const run = this.#store.get(runId);
    if (!run) return;
    const cancelRequested = this.#current?.runId === runId && this.#current.cancelRequested;
    const failure = failureOf(outcome, cancelRequested);
    const status: RunStatus =
      outcome.status === 'success'
        ? 'succeeded'
        : outcome.status === 'error'
          ? 'failed'
          : cancelRequested
            ? 'cancelled'
            : 'interrupted';
    // A crash leaves the event stream open: close it so followers see a terminal event.
    this.#terminate(run, status, failure, outcome.crashed !== undefined, outcome.outputs);
  }

  /**
   * Writes a final state and announces it. With `closeStream`, appends the terminal events the
   * engine could not send (it died, or never started) so every followed stream ends properly.
   */
  #terminate(
    run: RunRecord,
    status: RunStatus,
    failure: RunFailure | undefined,
    closeStream = true,
    outputs: RunOutput[] = [],
  ): boolean {
    if (!this.#store.finish(run.id, status, this.#now(), failure, outputs)) return false;
    if (closeStream) {
      const last = this.#store.get(run.id)!.lastSeq;
      const base = { runId: run.id, time: Date.now() };
      if (last < 0) this.#onEvent({ type: 'run_started', ...base, seq: 0, nodes: [], cached: [], targets: [] });
      const nodeId = this.#current?.runId === run.id ? this.#current.progress?.nodeId : undefined;
      this.#onEvent({ type: 'interrupted', ...base, seq: last < 0 ? 1 : last + 1, ...(nodeId ? { nodeId } : {}) });
    }
    this.#notify({ kind: 'status', run: this.#store.get(run.id)! });
    void this.#applyRetention();
    return true;
  }

  #withProgress<T extends RunRecord>(record: T): T {
    const progress = this.#current?.runId === record.id ? this.#current.progress : undefined;
    return progress && record.status === 'running' ? { ...record, progress } : record;
  }

  #notify(notice: QueueNotice): void {
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch (err) {
        this.#log(`queue listener failed: ${(err as Error).message}`);
      }
    }
  }
}

/** Why a run did not succeed, as its record says it. */
function failureOf(outcome: RunOutcome, cancelRequested: boolean): RunFailure | undefined {
  const first = outcome.errors[0];
  if (cancelRequested && outcome.status === 'interrupted') {
    return {
      code: 'INTERRUPTED',
      message: outcome.crashed ? 'cancelled (the worker was stopped: the run did not stop in time)' : 'cancelled',
      ...(first?.nodeId ? { nodeId: first.nodeId } : {}),
    };
  }
  if (outcome.crashed) return { code: 'WORKER_CRASHED', message: outcome.crashed };
  if (!first) return undefined;
  return { code: first.code, message: first.message, ...errorContext(first), errors: outcome.errors };
}
