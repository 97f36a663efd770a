import type { NodeRegistry } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import {
  describePackageProblem,
  loadNodePackages,
  nodePackageDirs,
  type LoadedNodePackages,
} from '../nodePackages/loadNodePackages.js';
import { resolveUserPath, type Io } from './cliSupport.js';

/** The `--node-packages DIR` option (repeatable) of the commands that load node types. */
export const NODE_PACKAGES_OPTION = { 'node-packages': { type: 'string', multiple: true } } as const;

/**
 * The node packages of `--node-packages` and $PTP_NODE_PACKAGES with the registry they make: a
 * broken package is reported on stderr and skipped (the command goes on with the others).
 */
export async function cliNodePackages(
  flags: readonly string[] | undefined,
  io: Io,
): Promise<{ registry: NodeRegistry; packages: LoadedNodePackages; dirs: string[] }> {
  const dirs = nodePackageDirs((flags ?? []).map(resolveUserPath));
  const packages = await loadNodePackages(dirs);
  for (const problem of packages.problems) io.err(describePackageProblem(problem));
  return { registry: createNodeRegistry(packages.nodes), packages, dirs };
}
