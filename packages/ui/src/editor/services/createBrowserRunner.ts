import type { Catalogue } from '@ptp/graph-core';
import type { WorkerRunner } from '../../runtime/createWorkerRunner';
import type { NodePackageModule } from '../../runtime/protocol';

export type BrowserProvider = 'auto' | 'wasm';

/**
 * The in-page runners, each started on first use: the worker and onnxruntime-web load only when a
 * graph first runs in the browser (a dynamic import keeps them out of the editor's first paint).
 * `auto` is WebGPU when the browser has an adapter; `wasm` runs on the CPU in the page.
 */
export function createBrowserRunner(
  token: () => string | undefined,
  nodePackages: () => NodePackageModule[] = () => [],
): (provider?: BrowserProvider) => Promise<WorkerRunner> {
  const runners = new Map<BrowserProvider, Promise<WorkerRunner>>();
  return (provider = 'auto') => {
    let runner = runners.get(provider);
    if (!runner) {
      runner = import('../../runtime/index').then((m) => {
        const t = token();
        return m.createWorkerRunner({ provider, nodePackages: nodePackages(), ...(t ? { token: t } : {}) });
      });
      runners.set(provider, runner);
      // A failed start (e.g. the worker script could not load) is retried on the next run.
      runner.catch(() => runners.delete(provider));
    }
    return runner;
  };
}

/**
 * The node-package modules a server's catalogue lists, as absolute URLs on that server (the page
 * may come from elsewhere with `?server=`): the browser runtime imports them to run their types.
 */
export function nodePackageModules(catalogue: Catalogue, serverUrl: string, pageUrl: string): NodePackageModule[] {
  const base = new URL(serverUrl || '/', pageUrl);
  return (catalogue.nodePackages ?? []).flatMap((p) =>
    p.module ? [{ name: p.name, version: p.version, url: new URL(p.module, base).href }] : [],
  );
}

/** sha256 of the bytes as lowercase hex: the id uploads go by, on the server and in the page. */
export async function uploadId(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
