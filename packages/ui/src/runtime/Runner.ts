import type { RunEvent, WorkflowDocumentInput } from '@ptp/graph-core';

/**
 * What the editor runs graphs with: the in-browser runner (engine in a Web Worker on
 * onnxruntime-web, createWorkerRunner) or a server runner (socket.io/REST client). Both take the
 * same document, report the same `RunEvent`s (graph-core events.ts) and settle with a `RunnerResult`.
 */
export interface Runner {
  readonly kind: 'browser' | 'server';
  /** Runs `doc` (any saved schema version: runners migrate and validate it). Never rejects for graph problems: they come back in `errors`. */
  run(doc: WorkflowDocumentInput, options?: RunnerRunOptions): Promise<RunnerResult>;
  /** Frees the runner's resources (worker, sessions, sockets); later runs reject. */
  dispose(): void;
}

export interface RunnerRunOptions {
  /** Output node ids to produce (partial execution); default every output node. */
  targets?: readonly string[];
  /** Aborting cancels the run: it settles with status `interrupted`. */
  signal?: AbortSignal;
  /** Every event of the run, in `seq` order. */
  onEvent?: (event: RunEvent) => void;
}

/** A file an output node produced (Save image / Preview image PNGs, with the workflow embedded). */
export interface RunFile {
  nodeId: string;
  name: string;
  mime: string;
  data: Uint8Array;
  /** Previews: shown, not archived. */
  temporary?: boolean;
}

/** A problem of a run: graph-core's GraphError or the server's RunFailure (code + context). */
export interface RunnerError {
  code: string;
  message: string;
  nodeId?: string;
  input?: string;
  param?: string;
}

export interface RunnerResult {
  runId: string;
  status: 'success' | 'error' | 'interrupted';
  files: RunFile[];
  executed: string[];
  cached: string[];
  errors: RunnerError[];
  /**
   * Target nodes' outputs as plain data (images as RGBA bytes, numbers, summaries of values that
   * cannot cross threads), by node id then output name. Browser runner only; files are in `files`.
   */
  outputs?: Record<string, Record<string, unknown>>;
}
