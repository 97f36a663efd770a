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
  return { uploads: new ChainedUploadStore(uploadStores(uploadDirs)), imageDecoder: new WasmImageDecoder() };
}

const uploadStores = (uploadDirs: readonly string[]) =>
  [...uploadDirs, BUNDLED_UPLOADS_DIR].map((d) => new DirectoryUploadStore(d));

/** Whether a runner lent `nodeRunResources(uploadDirs)` holds an upload (checked before a run). */
export function uploadsHave(uploadDirs: readonly string[] = [defaultUploadsDir()]): (id: string) => boolean {
  const stores = uploadStores(uploadDirs);
  return (id) => stores.some((s) => s.has(id));
}
