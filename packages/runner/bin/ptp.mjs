#!/usr/bin/env node
// The `ptp` bin and `pnpm ptp`: builds packages/runner/dist when a source changed
// (scripts/build-cli.mjs, about a second; a few ms otherwise), then runs the built CLI,
// dist/ptp.mjs, in this same process: plain node, no transpiler, no second process between a
// supervisor's signals and the server. `node packages/runner/dist/ptp.mjs` skips the check.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, ensureBuilt } from '../../../scripts/build-cli.mjs';

try {
  await ensureBuilt();
} catch (err) {
  console.error(`ptp: could not build packages/runner/dist: ${err.message}`);
  process.exit(1);
}
const { main } = await import(pathToFileURL(path.join(DIST, 'ptp.mjs')).href);
// Long-running commands (serve, worker) resolve only when they are done.
process.exitCode = await main(process.argv.slice(2));
