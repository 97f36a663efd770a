import type { RunResources } from '@ptp/graph-core';
import { nodeRunResources } from '../uploads/nodeRunResources.js';
import type { WorkerConfig } from './workerProtocol.js';

/** Host services the worker lends to node runs: the server's uploads (then the bundled ones), WebP decoding. */
export async function createRunResources(config: WorkerConfig): Promise<RunResources> {
  const resources = await nodeRunResources(config.uploadsDir ? [config.uploadsDir] : undefined);
  return config.maxRunMemoryBytes !== undefined
    ? { ...resources, runLimits: { maxRunMemoryBytes: config.maxRunMemoryBytes } }
    : resources;
}
