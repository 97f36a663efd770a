import { statSync } from 'node:fs';
import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import { slowProviderNotice, type Provider } from '../backends/providers.js';
import { BUNDLED_PACKS_DIR, PackStore } from '../packs/PackStore.js';
import { resolveUserPath, UsageError, type Io } from './cliSupport.js';

/** The user's --packs folders (relative to where they ran the command); one that is not a folder is a usage error. */
export function givenPackDirs(packs: readonly string[] | undefined): string[] {
  return (packs ?? []).map((p) => {
    const dir = resolveUserPath(p);
    if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(`--packs ${dir}: no such folder (it holds packs, e.g. what \`ptp models import\` made)`, {
        showUsage: false,
      });
    return dir;
  });
}

/** The pack folders a command searches: the user's --packs, then the bundled packs. */
export function userPackDirs(packs: readonly string[] | undefined): string[] {
  return [...givenPackDirs(packs), BUNDLED_PACKS_DIR];
}

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
