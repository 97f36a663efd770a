import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root (the folder holding pnpm-workspace.yaml), found by walking up from this
 * module, so the bundled folders (models/packs, examples/uploads, fixtures, packages/ui/dist)
 * resolve the same from the sources (packages/runner/src, tests, tsx) and from the built CLI
 * (packages/runner/dist/ptp.mjs, where every module shares the bundle's import.meta.url).
 */
export function findRepoRoot(from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Falls back to the layout of the sources (packages/runner/src -> ../../..) when no workspace file is found. */
export const REPO_ROOT = findRepoRoot(here) ?? path.resolve(here, '../../..');

/** True when this code runs from the built bundle (packages/runner/dist/*.mjs) rather than from TypeScript sources. */
export const RUNS_FROM_BUNDLE = !/\.[cm]?ts$/.test(fileURLToPath(import.meta.url));
