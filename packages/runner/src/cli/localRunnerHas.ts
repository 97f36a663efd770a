import type { ValidateOptions } from '@ptp/graph-core';
import { PackStore } from '../packs/PackStore.js';
import { defaultUploadsDir, uploadsHave } from '../uploads/nodeRunResources.js';
import { resolveUserPath } from './cliSupport.js';
import { userPackDirs } from './packDirs.js';

/**
 * What a local run can load, for validating it before any node runs (`ptp validate` checks the
 * same): model packs from --packs then the bundled ones, uploads from --uploads (default the data
 * dir's) then the bundled ones. A Load model or Load image naming another is refused up front
 * (UNKNOWN_PACK, UPLOAD_NOT_FOUND), as the server refuses it, rather than failing when it runs.
 */
export async function localRunnerHas(values: {
  packs?: readonly string[] | undefined;
  uploads?: readonly string[] | undefined;
}): Promise<ValidateOptions> {
  return {
    packs: (await new PackStore(userPackDirs(values.packs)).list()).map((p) => p.id),
    uploads: uploadsHave((values.uploads ?? [defaultUploadsDir()]).map(resolveUserPath)),
  };
}
