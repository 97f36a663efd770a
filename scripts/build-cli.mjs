#!/usr/bin/env node
// Builds the CLI, server and inference worker to plain JavaScript with esbuild, so `ptp` starts as
// bare `node` instead of pnpm + a TypeScript transpiler:
//   packages/runner/src/cli/main.ts                -> packages/runner/dist/ptp.mjs (run by the `ptp` bin,
//                                                     packages/runner/bin/ptp.mjs, after this build)
//   packages/runner/src/worker/inferenceWorkerMain.ts -> packages/runner/dist/inferenceWorkerMain.mjs
// The workspace packages (@ptp/graph-core, @ptp/nodes, the runner) and small pure-JS libraries are
// bundled; the runner's native or file-relative dependencies stay external (EXTERNAL below) and
// resolve from packages/runner/node_modules, which is why dist/ lives inside packages/runner.
//
//   node scripts/build-cli.mjs          build when stale (a no-op in a few ms otherwise)
//   node scripts/build-cli.mjs --force  build anyway
//   node scripts/build-cli.mjs --check  exit 1 when stale, 0 when up to date (builds nothing)
//
// Stale = an output or the manifest is missing, or any input esbuild read in the last build (every
// bundled source, package.json and library file), this script or the lockfile changed after that
// build started. New files only matter once an input imports them, and that input then changed.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNNER = path.join(ROOT, 'packages/runner');
export const DIST = path.join(RUNNER, 'dist');
const MANIFEST = path.join(DIST, 'build-manifest.json');
const ENTRIES = { ptp: 'src/cli/main.ts', inferenceWorkerMain: 'src/worker/inferenceWorkerMain.ts' };
const OUTPUTS = Object.keys(ENTRIES).map((name) => path.join(DIST, `${name}.mjs`));
/** Always inputs, whatever the last build read. */
const FIXED_INPUTS = [
  fileURLToPath(import.meta.url),
  path.join(ROOT, 'pnpm-lock.yaml'),
  ...readdirSync(path.join(ROOT, 'packages'))
    .map((p) => path.join(ROOT, 'packages', p, 'package.json'))
    .filter((f) => existsSync(f)),
];

/**
 * Kept out of the bundle: native addons (onnxruntime-node, better-sqlite3), packages that read
 * files next to their own sources (bullmq's Lua scripts, socket.io's client bundle, @cwasm/webp's
 * wasm, protobufjs's dynamic requires) and the servers' large libraries. Each is a dependency of
 * @ptp/runner, so it resolves from dist/. A new dependency of graph-core or nodes is bundled; add
 * it here (and to the runner's dependencies) if it cannot be. socket.io-client is such a case: the
 * studio client (@ptp/graph-core/client, used by `ptp run --server`) depends on it, and the runner
 * keeps it as a dependency so the external import resolves from dist/.
 */
const EXTERNAL = [
  'onnxruntime-node',
  'better-sqlite3',
  'bullmq',
  'ioredis',
  '@cwasm/webp',
  'express',
  'socket.io',
  'socket.io-client',
  'protobufjs',
];

// Bundled CommonJS libraries call require() for node built-ins; ESM output needs a real one.
const BANNER =
  "import { createRequire as __ptpCreateRequire } from 'node:module'; const require = __ptpCreateRequire(import.meta.url);";

function mtimeMs(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return Infinity; // missing: stale
  }
}

/** Why the build is stale, or undefined when dist is newer than every input. */
export function staleReason() {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  } catch {
    return 'no build yet';
  }
  for (const out of OUTPUTS) if (!existsSync(out)) return `${path.relative(ROOT, out)} is missing`;
  for (const rel of [...FIXED_INPUTS.map((f) => path.relative(ROOT, f)), ...manifest.inputs]) {
    if (mtimeMs(path.join(ROOT, rel)) >= manifest.startedAt) return `${rel} changed`;
  }
  return undefined;
}

/** esbuild's shared and per-command chunks: `[name]-[hash].mjs`. */
const isChunk = (name) => /-[A-Z0-9]{8}\.mjs(\.map)?$/.test(name);

/** Writes a file under a temporary name, then renames it: a concurrent `ptp` never sees half a bundle. */
function writeAtomic(file, contents, mode = 0o644) {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents, { mode });
  renameSync(tmp, file);
}

/** Builds dist/ (always); returns the time it took in ms. */
export async function build() {
  const started = Date.now();
  // Start from the file system's clock: an edit during the build is newer than this and rebuilds next time.
  const startedAt = started - 1;
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([name, src]) => [name, path.join(RUNNER, src)])),
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Commands are imported when they run (cli/main.ts), each in its own chunk, so `ptp validate`
    // loads neither the server nor onnxruntime. Chunks stay beside the entries: InferenceWorker finds
    // inferenceWorkerMain.mjs next to its own module.
    splitting: true,
    chunkNames: '[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    external: EXTERNAL,
    banner: { js: `#!/usr/bin/env node\n${BANNER}` },
    sourcemap: 'linked',
    metafile: true,
    write: false,
    logLevel: 'warning',
    legalComments: 'none',
  });
  mkdirSync(DIST, { recursive: true });
  // Chunks first, entries last: a `ptp` starting meanwhile loads either build whole, never a mix.
  const entryFirst = (f) => (isChunk(path.basename(f.path)) ? 0 : 1);
  for (const file of [...result.outputFiles].sort((a, b) => entryFirst(a) - entryFirst(b))) {
    writeAtomic(file.path, file.contents, file.path.endsWith('ptp.mjs') ? 0o755 : 0o644);
  }
  // Chunks of earlier builds (their names carry a content hash) go once nothing can still be
  // loading them: a process started from the old entries imports its command's chunk on start.
  const written = new Set(result.outputFiles.map((f) => path.basename(f.path)));
  for (const name of readdirSync(DIST)) {
    if (isChunk(name) && !written.has(name) && mtimeMs(path.join(DIST, name)) < started - 10 * 60_000) {
      rmSync(path.join(DIST, name), { force: true });
    }
  }
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('<'));
  writeAtomic(MANIFEST, `${JSON.stringify({ startedAt, esbuild: esbuild.version, inputs }, null, 1)}\n`);
  return Date.now() - started;
}

/** Builds when stale; quiet when up to date. */
export async function ensureBuilt({ force = false, log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  const reason = force ? 'forced' : staleReason();
  if (!reason) return false;
  const ms = await build();
  log(`build-cli: built packages/runner/dist in ${ms} ms (${reason})`);
  return true;
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const args = process.argv.slice(2);
  if (args.includes('--check')) {
    const reason = staleReason();
    console.log(reason ? `stale: ${reason}` : 'up to date');
    process.exitCode = reason ? 1 : 0;
  } else {
    await ensureBuilt({ force: args.includes('--force') }).catch((err) => {
      console.error(`build-cli: ${err.message}`);
      process.exitCode = 1;
    });
  }
}
