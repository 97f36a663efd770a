import { benchBrowser } from './browser.bench.js';
import { benchBrowserLarge } from './browserLarge.bench.js';
import { benchEditVsGeneration } from './editVsGeneration.bench.js';
import { benchEditor } from './editor.bench.js';
import { benchGraphCore } from './graphCore.bench.js';
import { benchHardening } from './hardening.bench.js';
import { benchScaleOut } from './scaleout.bench.js';
import { benchServer } from './server.bench.js';
import { benchInversion } from './inversion.bench.js';
import { benchUnet } from './unet.bench.js';

/**
 * `pnpm bench [suite...]`: each suite prints a table with a baseline measured in the same run.
 * Suites that need large generated models say how to make them when they are missing.
 */
const suites: Record<string, () => Promise<void>> = {
  'graph-core': benchGraphCore,
  unet: benchUnet,
  edit: benchEditVsGeneration,
  server: benchServer,
  inversion: benchInversion,
  browser: benchBrowser,
  editor: benchEditor,
  scaleout: benchScaleOut,
  hardening: benchHardening,
  'browser-large': benchBrowserLarge,
};
/** Run only when named: they take many minutes and need a generated multi-GB pack. */
const OPT_IN = new Set(['browser-large']);

const USAGE = `usage: pnpm bench [suite...]   (no suite: every suite but ${[...OPT_IN].join(', ')})
suites: ${Object.keys(suites).join(', ')}
options: --help, -h   this text (suites take no options; they read PTP_BENCH_* environment variables,
                      e.g. PTP_BENCH_SOAK_RUNS for hardening: see each suite's doc comment in bench/)`;

const args = process.argv.slice(2);
if (args.some((a) => a === '--help' || a === '-h')) {
  console.log(USAGE);
  process.exit(0);
}
const dashed = args.filter((a) => a.startsWith('-'));
if (dashed.length) {
  console.error(`unknown option(s): ${dashed.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const wanted = args;
const unknown = wanted.filter((w) => !(w in suites));
if (unknown.length) {
  console.error(`unknown bench suite(s): ${unknown.join(', ')}; available: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
console.log(
  `PtP Studio benchmarks, ${new Date().toISOString()}, node ${process.version}, ${process.platform}/${process.arch}`,
);
for (const name of wanted.length ? wanted : Object.keys(suites).filter((s) => !OPT_IN.has(s))) {
  console.log(`\n## ${name}`);
  await suites[name]!();
}
