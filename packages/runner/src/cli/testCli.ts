import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from './main.js';

/** The repository's root (examples/, fixtures/), for CLI tests. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Runs `ptp <argv>` in-process for a test: its exit code and what it printed to stdout and stderr. */
export async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}
