import { readFile, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Io } from '../cliSupport.js';

// Only what ptp run itself reads back of its own reports.
const summarySchema = z.object({ outputs: z.array(z.string()) }).passthrough();
const batchSchema = z
  .object({ runs: z.array(z.object({ dir: z.string(), outputs: z.array(z.string()) })) })
  .passthrough();

const plainName = (name: string) => name === path.basename(name) && name !== '.' && name !== '..' && name !== '';
const batchFolder = (dir: string) => /^\d{3,}$/.test(dir);

async function readReport<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  try {
    const parsed = schema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Removes what an earlier `ptp run` wrote into `outDir`, as its summary.json / batch.json list it,
 * so a reused folder holds one run's files (a smaller batch or a graph with other outputs left
 * the old ones beside the new). Nothing else in the folder is touched. Returns the files removed.
 */
export async function clearPreviousRun(outDir: string): Promise<number> {
  const files: string[] = [];
  const folders: string[] = [];
  const single = await readReport(path.join(outDir, 'summary.json'), summarySchema);
  if (single)
    files.push(...single.outputs.filter(plainName).map((n) => path.join(outDir, n)), path.join(outDir, 'summary.json'));
  const batch = await readReport(path.join(outDir, 'batch.json'), batchSchema);
  if (batch) {
    for (const run of batch.runs) {
      if (!batchFolder(run.dir)) continue;
      const dir = path.join(outDir, run.dir);
      folders.push(dir);
      files.push(...run.outputs.filter(plainName).map((n) => path.join(dir, n)), path.join(dir, 'summary.json'));
    }
    files.push(path.join(outDir, 'batch.json'));
  }
  let removed = 0;
  for (const file of files) {
    const existed = await rm(file).then(
      () => true,
      () => false,
    );
    if (existed) removed++;
  }
  // A run folder goes only when nothing else is left in it.
  for (const dir of folders) await rmdir(dir).catch(() => {});
  return removed;
}

/** `clearPreviousRun` once, right before the first file of this run is written (a refused run removes nothing). */
export function clearBeforeFirstWrite(outDir: string, io: Io): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () =>
    (done ??= clearPreviousRun(outDir).then((n) => {
      if (n) io.err(`--out ${outDir}: removed the previous run's ${n} file(s) listed in its summary`);
    }));
}
