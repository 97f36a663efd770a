import type { WorkerRunner } from '../../runtime/createWorkerRunner';

/**
 * The in-page runner, started on first use: the worker and onnxruntime-web load only when a graph
 * first runs in the browser (a dynamic import keeps them out of the editor's first paint).
 */
export function createBrowserRunner(token: () => string | undefined): () => Promise<WorkerRunner> {
  let runner: Promise<WorkerRunner> | undefined;
  return () => {
    runner ??= import('../../runtime/index').then((m) => {
      const t = token();
      return m.createWorkerRunner(t ? { token: t } : {});
    });
    // A failed start (e.g. the worker script could not load) is retried on the next run.
    runner.catch(() => (runner = undefined));
    return runner;
  };
}

/** sha256 of the bytes as lowercase hex: the id uploads go by, on the server and in the page. */
export async function uploadId(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
