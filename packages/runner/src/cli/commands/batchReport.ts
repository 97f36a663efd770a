import { writeFile } from 'node:fs/promises';
import path from 'node:path';

/** One run of a `ptp run --count/--rows` batch as batch.json lists it. */
export interface BatchReportRun {
  label: string;
  /** Its folder, relative to the batch's --out. */
  dir: string;
  status: string;
  outputs: string[];
}

/** A batch's runs go to DIR/001, DIR/002, ...; a single run to DIR itself. */
export const batchRunDir = (outDir: string, index: number): string =>
  path.join(outDir, String(index + 1).padStart(3, '0'));

/** batch.json: the workflow and every run's label, folder, status and files (local and --server alike). */
export async function writeBatchReport(
  outDir: string,
  workflow: { file: string; name: string },
  runs: readonly BatchReportRun[],
): Promise<void> {
  await writeFile(path.join(outDir, 'batch.json'), `${JSON.stringify({ workflow, runs }, null, 2)}\n`);
}
