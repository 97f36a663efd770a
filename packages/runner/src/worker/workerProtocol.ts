import type {
  WorkerHealth,
  GraphError,
  RunEvent,
  RunOutput,
  RunRequestOptions,
  WorkflowDocument,
} from '@ptp/graph-core';
import type { RunMetric } from './collectMetrics.js';

/**
 * Messages between the server and its inference worker process (Node IPC with the 'advanced'
 * serialization, so preview bytes travel as Uint8Array). Both ends are this codebase: typed, not
 * validated; what clients send is validated before it gets here.
 */
/** The worker's output cache budget unless configured (per provider it runs). */
export const DEFAULT_WORKER_CACHE_BYTES = 256 * 1024 * 1024;

export interface WorkerConfig {
  packDirs: string[];
  provider: RunRequestOptions['provider'] & string;
  /** Folder of the content-addressed upload store nodes read images from. */
  uploadsDir?: string;
  /** Modules whose `nodes` export adds node types (server configuration, e.g. test nodes; never from clients). */
  nodeModules?: string[];
  /** Node packages the server loaded from its configured folders (it reported the broken ones): loaded again here. */
  nodePackages?: { name: string; version: string; file: string }[];
  /** onnxruntime intra-op threads (several CPU workers on one machine); default onnxruntime's. */
  intraOpThreads?: number;
  /** Ceiling for a run's estimated memory (nodes refuse larger sizes with MEMORY_LIMIT). */
  maxRunMemoryBytes?: number;
  /** Byte budget of the engine's output cache (node results reused across runs). */
  cacheBytes?: number;
}

export interface RunJob {
  runId: string;
  workflow: WorkflowDocument;
  options: RunRequestOptions;
  /** Where the worker writes the run's output files (created by the worker). */
  outDir: string;
}

export interface RunOutcome {
  status: 'success' | 'error' | 'interrupted';
  errors: GraphError[];
  outputs: RunOutput[];
  /** Set when the worker process died during the run. */
  crashed?: string;
  /** METRICS outputs of a successful run (sweeps read them). */
  metrics?: RunMetric[];
}

export type ToWorker =
  { type: 'init'; config: WorkerConfig } | { type: 'run'; job: RunJob } | { type: 'cancel'; runId: string };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'fatal'; message: string }
  | { type: 'event'; event: RunEvent }
  | { type: 'done'; runId: string; outcome: RunOutcome };

/** What the queue needs from whatever executes runs (a child process here; a remote worker elsewhere). */
export interface RunExecutor {
  execute(job: RunJob, onEvent: (event: RunEvent) => void): Promise<RunOutcome>;
  /** Asks the current run to stop; executors escalate (kill) when it does not. */
  cancel(runId: string): void;
  status(): WorkerHealth;
  close(): Promise<void>;
}
