import type {
  WorkerHealth,
  RunBatch,
  RunDetail,
  RunEvent,
  RunOutput,
  RunRecord,
  RunRequestOptions,
  RunStatus,
  WorkflowDocument,
} from '@ptp/graph-core';
import type { ApiResult } from '../ApiResult.js';

/** A run request the server has already migrated, validated and bounded (see prepareRun). */
export interface PreparedRun {
  workflow: WorkflowDocument;
  options: RunRequestOptions;
  clientRequestId?: string;
  batch?: RunBatch;
  /** Ahead of every waiting run (the newest front run first). */
  front?: boolean;
  /** The seeds it samples with, for run lists. */
  seeds?: number[];
}

/**
 * A finished run queued again: its workflow, options and seeds, and its place in its batch (a
 * retried batch run stays in the batch; History shows the latest try). Resubmit, on either queue.
 */
export const resubmission = (detail: RunDetail): PreparedRun => ({
  workflow: detail.workflow as unknown as WorkflowDocument,
  options: detail.options,
  ...(detail.seeds ? { seeds: detail.seeds } : {}),
  ...(detail.batch ? { batch: detail.batch } : {}),
});

/**
 * What the queue tells its listeners. Live events keep their preview bytes (progress events);
 * stored and replayed events never carry them.
 */
export type QueueNotice =
  | { kind: 'event'; runId: string; event: RunEvent }
  | { kind: 'status'; run: RunRecord }
  | { kind: 'deleted'; runId: string }
  /** The queue itself changed: paused or resumed. */
  | { kind: 'queue' };

/** What a run list asks for (GET /api/runs): newest first, filtered, paged by `before`. */
export interface RunListOptions {
  status?: RunStatus | undefined;
  limit: number;
  /** Matches the name or id, case-insensitively. */
  q?: string | undefined;
  /** Only runs queued before this one (the last of the previous page). */
  before?: string | undefined;
  /** Only the runs of this batch. */
  batch?: string | undefined;
}

export interface QueueStats {
  queued: number;
  running: number;
  /** No waiting run starts until resumed. */
  paused: boolean;
  worker: WorkerHealth;
}

export interface SubmitOutcome {
  run: RunRecord;
  /** The clientRequestId was seen before: this is the earlier run, nothing new was queued. */
  duplicate: boolean;
}

/**
 * The studio's run queue. The embedded implementation (SQLite + one inference worker process)
 * is the default; a BullMQ/Redis one can stand in for it behind this same interface.
 *
 * Guarantees every implementation keeps:
 * - a submitted run is persisted before `submit` resolves, and runs at most once;
 * - queued runs survive a restart and run after it; a run that was executing when the process
 *   died is `interrupted` (resubmittable), never re-run on its own;
 * - an unknown id answers `undefined` (the API says "unknown"), never a final state;
 * - each run's events have seq 0, 1, 2, ... and `events(id, n)` returns those after n.
 *
 * BullRunQueue (queue/bull) keeps these for its server; runs execute on `ptp worker` processes, and
 * a run whose *worker* dies is re-run by another worker (BullMQ's stalled-job recovery, bounded
 * attempts), its event stream continuing with a second `run_started`.
 */
export interface RunQueue {
  /** Recovers state after a restart and starts executing. */
  start(): Promise<{ interrupted: string[]; queued: number }>;
  submit(run: PreparedRun): Promise<ApiResult<SubmitOutcome>>;
  /** Whether a run was already submitted under this clientRequestId (a retry of it queues nothing). */
  submitted(clientRequestId: string): Promise<boolean>;
  get(runId: string): Promise<RunDetail | undefined>;
  list(query: RunListOptions): Promise<RunRecord[]>;
  /** Removes a final run, its events and its outputs; queued or running runs are cancelled first. */
  delete(runId: string): Promise<ApiResult<{ id: string }>>;
  /** Queued: cancelled at once. Running: asks the executor to stop; final when it has. */
  cancel(runId: string): Promise<ApiResult<RunRecord>>;
  /** Queues a new run with the workflow and options of a finished (not succeeded) one. */
  resubmit(runId: string): Promise<ApiResult<SubmitOutcome>>;
  /** Recorded events with seq > afterSeq, in order; undefined for an unknown run. */
  events(runId: string, afterSeq: number): Promise<RunEvent[] | undefined>;
  readOutput(runId: string, name: string): Promise<{ output: RunOutput; data: Uint8Array } | undefined>;
  subscribe(listener: (notice: QueueNotice) => void): () => void;
  stats(): Promise<QueueStats>;
  /**
   * Paused, no waiting run starts (the running one goes on); runs are still queued. Kept across
   * restarts, like the runs themselves (InvokeAI's pause processor).
   */
  setPaused(paused: boolean): Promise<void>;
  /** Stops taking work; a run still executing is left to be found interrupted on the next start. */
  close(): Promise<void>;
}
