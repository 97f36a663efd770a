import { statSync } from 'node:fs';
import { BUNDLED_PACKS_DIR } from '../packs/PackStore.js';
import { resolveUserPath, UsageError } from './cliSupport.js';

/** The user's --packs folders (relative to where they ran the command); one that is not a folder is a usage error. */
export function givenPackDirs(packs: readonly string[] | undefined): string[] {
  return (packs ?? []).map((p) => {
    const dir = resolveUserPath(p);
    const found = statSync(dir, { throwIfNoEntry: false });
    if (!found?.isDirectory())
      throw new UsageError(
        `--packs ${dir}: ${found ? 'is a file, not a folder' : 'no such folder'} (it holds packs, e.g. what \`ptp models import\` made)`,
        { showUsage: false },
      );
    return dir;
  });
}

/** The pack folders a command searches: the user's --packs, then the bundled packs. */
export function userPackDirs(packs: readonly string[] | undefined): string[] {
  return [...givenPackDirs(packs), BUNDLED_PACKS_DIR];
}
