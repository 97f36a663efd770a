import type { RunEvent, WorkflowDocumentInput } from '@ptp/graph-core';
import {
  FromWorkerSchema,
  WorkerRunnerError,
  type BackendInfo,
  type NodePackageModule,
  type ToWorker,
  type UploadPayload,
  type WorkerProvider,
} from './protocol';
import type { Runner, RunnerResult, RunnerRunOptions } from './Runner';

export interface WorkerRunnerOptions {
  /** The editor's URL (packs under `<baseUrl>/packs/`); default `document.baseURI`. */
  baseUrl?: string;
  /** `auto` (default): WebGPU when the browser has an adapter, else wasm. */
  provider?: WorkerProvider;
  /** Studio server token for reading uploads. */
  token?: string;
  /** WebGPU: keep session outputs on the GPU and download them concurrently (default true). */
  gpuOutputs?: boolean;
  /** Start each session call in a new task, so Cancel is read mid-run on wasm (default true; false: `pnpm bench browser`). */
  yieldToMessages?: boolean;
  /** Node packages of the studio server to import in the worker (absolute module URLs). */
  nodePackages?: NodePackageModule[];
  /** Creates the worker (tests and other bundlers); default the bundled engineWorker. */
  createWorker?: () => Worker;
}

export interface WorkerRunner extends Runner {
  readonly kind: 'browser';
  /** Backend, provider (and WebGPU adapter) in use, and the packs it can load. */
  info(): Promise<BackendInfo>;
  /** Makes uploaded images available to Load image nodes of later runs. */
  addUploads(uploads: UploadPayload[]): void;
}

interface Pending {
  onEvent?: (event: RunEvent) => void;
  resolve(value: never): void;
  reject(err: Error): void;
  kind: 'run' | 'info';
}

let requestCounter = 0;

/** Routes the worker's replies to their pending requests; a crash or a bad message fails them all. */
function watchWorker(worker: Worker, pending: Map<string, Pending>, failAll: (err: WorkerRunnerError) => void) {
  worker.addEventListener('message', (e: MessageEvent<unknown>) => {
    const parsed = FromWorkerSchema.safeParse(e.data);
    if (!parsed.success) {
      failAll(
        new WorkerRunnerError(
          'BAD_MESSAGE',
          `the engine worker sent a malformed message: ${parsed.error.issues[0]?.message}`,
        ),
      );
      return;
    }
    const msg = parsed.data;
    const p = msg.requestId === undefined ? undefined : pending.get(msg.requestId);
    if (msg.type === 'failed' && !p) return failAll(new WorkerRunnerError(msg.error.code, msg.error.message));
    if (!p || msg.requestId === undefined) return; // a request already settled (e.g. after dispose)
    if (msg.type === 'event') p.onEvent?.(msg.event);
    else {
      pending.delete(msg.requestId);
      if (msg.type === 'failed') p.reject(new WorkerRunnerError(msg.error.code, msg.error.message));
      else if (msg.type === 'result') p.resolve(msg.result as never);
      else p.resolve(msg.info as never);
    }
  });
  worker.addEventListener('error', (e: ErrorEvent) => {
    e.preventDefault();
    failAll(
      new WorkerRunnerError(
        'WORKER_CRASHED',
        `the engine worker failed: ${e.message || 'script error (could not load the worker?)'}`,
      ),
    );
  });
  worker.addEventListener('messageerror', () =>
    failAll(new WorkerRunnerError('BAD_MESSAGE', 'a message from the engine worker could not be read')),
  );
}

/** Sends the cancel message when `signal` aborts (at once if it already has), until `promise` settles. */
function cancelOnAbort(signal: AbortSignal | undefined, promise: Promise<unknown>, cancel: () => void) {
  if (!signal) return;
  if (signal.aborted) cancel();
  else {
    signal.addEventListener('abort', cancel, { once: true });
    void promise.finally(() => signal.removeEventListener('abort', cancel)).catch(() => undefined);
  }
}

/**
 * The in-browser runner: graph-core's Engine and the nodes run in a Web Worker on onnxruntime-web
 * (WebGPU, or wasm without an adapter), so the editor stays responsive while a graph runs.
 * Cancelling (AbortSignal) stops the run at the next node or sampler step; the worker, its model
 * sessions and its output cache live on for the next run.
 */
export function createWorkerRunner(options: WorkerRunnerOptions = {}): WorkerRunner {
  const worker = options.createWorker
    ? options.createWorker()
    : new Worker(new URL('./engineWorker.ts', import.meta.url), { type: 'module', name: 'ptp-engine' });
  const pending = new Map<string, Pending>();
  let disposed: WorkerRunnerError | undefined;

  const send = (message: ToWorker, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
  const failAll = (err: WorkerRunnerError) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  watchWorker(worker, pending, failAll);

  send({
    type: 'init',
    baseUrl: options.baseUrl ?? document.baseURI,
    provider: options.provider ?? 'auto',
    gpuOutputs: options.gpuOutputs ?? true,
    yieldToMessages: options.yieldToMessages ?? true,
    nodePackages: options.nodePackages ?? [],
    ...(options.token ? { token: options.token } : {}),
  });

  const request = <T>(
    kind: Pending['kind'],
    message: (requestId: string) => ToWorker,
    onEvent?: (event: RunEvent) => void,
  ): { requestId: string; promise: Promise<T> } => {
    const requestId = `r${(++requestCounter).toString(36)}`;
    const promise = new Promise<T>((resolve, reject) => {
      if (disposed) return reject(disposed);
      pending.set(requestId, { kind, resolve: resolve as (v: never) => void, reject, ...(onEvent ? { onEvent } : {}) });
      send(message(requestId));
    });
    return { requestId, promise };
  };

  return {
    kind: 'browser',
    run(doc: WorkflowDocumentInput, opts: RunnerRunOptions = {}): Promise<RunnerResult> {
      const { requestId, promise } = request<RunnerResult>(
        'run',
        (id) => ({
          type: 'run',
          requestId: id,
          document: doc,
          ...(opts.targets ? { targets: [...opts.targets] } : {}),
        }),
        opts.onEvent,
      );
      cancelOnAbort(opts.signal, promise, () => send({ type: 'cancel', requestId }));
      return promise;
    },
    info: () => request<BackendInfo>('info', (id) => ({ type: 'info', requestId: id })).promise,
    addUploads(uploads) {
      if (disposed) throw disposed;
      // Copies are transferred so the caller keeps its bytes.
      const copies = uploads.map((u) => ({ ...u, bytes: u.bytes.slice() }));
      send(
        { type: 'uploads', uploads: copies },
        copies.map((u) => u.bytes.buffer),
      );
    },
    dispose() {
      if (disposed) return;
      disposed = new WorkerRunnerError('RUNNER_DISPOSED', 'the browser runner was disposed');
      failAll(disposed);
      worker.terminate();
    },
  };
}
