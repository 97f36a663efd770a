import path from 'node:path';
import type { RunResources } from '@ptp/graph-core';
import { ChainedUploadStore } from '@ptp/nodes';
import { BUNDLED_UPLOADS_DIR, defaultDataDir, DirectoryUploadStore } from './DirectoryUploadStore.js';
import { WasmImageDecoder } from './WasmImageDecoder.js';

/** The user's upload folder: `<data dir>/uploads`. */
export function defaultUploadsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultDataDir(env), 'uploads');
}

/**
 * What a Node runner lends to node runs: uploads from the given folders (first match wins), then
 * the examples' bundled uploads; WebP decoding through wasm.
 */
export function nodeRunResources(uploadDirs: readonly string[] = [defaultUploadsDir()]): RunResources {
  const stores = [...uploadDirs, BUNDLED_UPLOADS_DIR].map((d) => new DirectoryUploadStore(d));
  return { uploads: new ChainedUploadStore(stores), imageDecoder: new WasmImageDecoder() };
}
