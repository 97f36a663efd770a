import type { NodeRegistry, RunRequestOptions, WorkflowDocument } from '@ptp/graph-core';
import type { UploadStore } from '@ptp/nodes';
import { BullRunQueue } from '../queue/bull/BullRunQueue.js';
import { QueueCellExecutor } from './QueueCellExecutor.js';

/**
 * What `ptp sweep --redis URL` runs on: a BullRunQueue (no server needed: the sweep is a
 * producer like any server) and a cell executor that submits one job per cell. `inFlight`
 * cells are queued at a time, enough to keep every worker busy without filling the queue other
 * users share.
 */
export async function openQueueSweep(o: {
  url: string;
  prefix?: string | undefined;
  inFlight: number;
  doc: WorkflowDocument;
  registry: NodeRegistry;
  /** The sweep's output folder: names the sweep in the queue, so a rerun finds its cells. */
  outDir: string;
  provider?: RunRequestOptions['provider'];
  uploads?: UploadStore;
  imagesDir?: string;
  log?: (message: string) => void;
}): Promise<{ executor: QueueCellExecutor; concurrency: number; queue: BullRunQueue; close(): Promise<void> }> {
  const queue = new BullRunQueue({
    redis: { url: o.url, prefix: o.prefix },
    registry: o.registry,
    ...(o.uploads ? { uploads: o.uploads } : {}),
    // The sweep bounds itself with inFlight; the server's limit is for API clients.
    maxQueuedRuns: Number.MAX_SAFE_INTEGER,
    ...(o.log ? { log: o.log } : {}),
  });
  try {
    await queue.start();
    const executor = new QueueCellExecutor({
      doc: o.doc,
      registry: o.registry,
      queue,
      sweepId: o.outDir,
      ...(o.provider ? { provider: o.provider } : {}),
      ...(o.imagesDir ? { imagesDir: o.imagesDir } : {}),
    });
    return {
      executor,
      concurrency: o.inFlight,
      queue,
      close: async () => {
        executor.close();
        await queue.close();
      },
    };
  } catch (err) {
    await queue.close();
    throw err;
  }
}
