import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunRecord } from '@ptp/graph-core';
import type { StudioRest } from '@ptp/graph-core/client';

/**
 * Node only: writes a finished run's outputs into `dir`. Names come from the server, so each is
 * reduced to a plain base name first: a hostile server cannot write outside `dir`.
 */
export async function downloadRunOutputs(
  client: StudioRest,
  run: RunRecord,
  dir: string,
): Promise<{ name: string; file: string; size: number }[]> {
  await mkdir(dir, { recursive: true });
  const written: { name: string; file: string; size: number }[] = [];
  for (const output of run.outputs) {
    const name = path.basename(output.name);
    if (!name || name.startsWith('.') || name !== output.name) continue;
    const data = await client.fetchOutput(run.id, output.name);
    const file = path.join(dir, name);
    await writeFile(file, data);
    written.push({ name, file, size: data.byteLength });
  }
  return written;
}
