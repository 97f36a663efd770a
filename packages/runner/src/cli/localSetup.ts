import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import type { Provider } from '../backends/providers.js';
import { BUNDLED_PACKS_DIR, PackStore } from '../packs/PackStore.js';
import { resolveUserPath } from './cliSupport.js';

/** The pack folders a command searches: the user's --packs (relative to where they ran it), then the bundled packs. */
export function userPackDirs(packs: readonly string[] | undefined): string[] {
  return [...(packs ?? []).map(resolveUserPath), BUNDLED_PACKS_DIR];
}

/** The backend local commands run on: onnxruntime-node with the given provider over the user's pack folders. */
export function localBackend(options: {
  provider?: string | undefined;
  packs?: readonly string[] | undefined;
}): OrtNodeBackend {
  return new OrtNodeBackend({
    ...(options.provider ? { provider: options.provider as Provider } : {}),
    packs: new PackStore(userPackDirs(options.packs)),
  });
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
