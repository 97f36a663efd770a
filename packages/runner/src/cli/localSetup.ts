import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import { slowProviderNotice, type Provider } from '../backends/providers.js';
import { PackStore } from '../packs/PackStore.js';
import type { Io } from './cliSupport.js';
import { userPackDirs } from './packDirs.js';

/** The backend local commands run on: onnxruntime-node with the given provider over the user's pack folders. */
export function localBackend(
  options: { provider?: string | undefined; packs?: readonly string[] | undefined },
  io?: Io,
): OrtNodeBackend {
  const backend = new OrtNodeBackend({
    ...(options.provider ? { provider: options.provider as Provider } : {}),
    packs: new PackStore(userPackDirs(options.packs), { sayFolders: true }),
  });
  const notice = slowProviderNotice(backend.provider);
  if (notice && io) io.err(notice);
  return backend;
}

/**
 * Ctrl-C while `work` runs calls `onInterrupt` (abort a run, cancel it on a server) instead of
 * killing the process, so partial results are written and a remote run is not left behind.
 */
export async function onInterrupt<T>(onSigint: () => void, work: () => Promise<T>): Promise<T> {
  process.once('SIGINT', onSigint);
  try {
    return await work();
  } finally {
    process.off('SIGINT', onSigint);
  }
}
