import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EXIT, type Io } from '../cliSupport.js';

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

/**
 * The end of `ptp run`, local or --server: batch.json for a batch, then one line, "ok: ..." on
 * stdout or how many runs failed on stderr; returns the exit code.
 */
export async function finishRuns(
  io: Io,
  o: {
    batch: boolean;
    outDir: string;
    workflow: { file: string; name: string };
    runs: readonly BatchReportRun[];
    /** Runs planned (an interrupted batch reports fewer). */
    planned: number;
    /** e.g. "1.9 s on cpu". */
    took: string;
  },
): Promise<number> {
  if (o.batch) await writeBatchReport(o.outDir, o.workflow, o.runs);
  const ok = o.runs.filter((r) => r.status === 'success').length;
  if (ok < o.planned) {
    if (o.batch) io.err(`${ok} of ${o.planned} runs succeeded (${o.took}); see ${o.outDir}/batch.json`);
    return EXIT.failed;
  }
  const files = o.runs.reduce((n, r) => n + r.outputs.length, 0);
  io.out(`ok: ${o.batch ? `${ok} run${ok === 1 ? '' : 's'}, ` : ''}${files} file(s) in ${o.outDir} (${o.took})`);
  return EXIT.ok;
}
