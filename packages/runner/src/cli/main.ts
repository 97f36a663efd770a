import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EXIT, processIo, UsageError, type Command, type Io } from './cliSupport.js';
import { closestWord } from './closestWord.js';

/**
 * Each command's lines of the usage, in the order `ptp --help` lists them; `ptp <command> --help` prints
 * one. Each names exactly the flags its command declares (`RUN_OPTIONS`, ...; main.test.ts checks).
 */
export const COMMAND_USAGE: Record<string, string> = {
  validate: `  validate <workflow.json>... [--json] [--packs DIR]... [--uploads DIR]... [--node-packages DIR]...
                                      check workflows (a .json file, or a studio PNG: the workflow it embeds);
                                      exit 0 when "ptp run" would run each, 1 when not (problems in
                                      nodes no output needs are warnings: runs skip them; model packs and uploads are
                                      looked for as run does: --packs / --uploads, then the bundled ones), 2 usage error
`,
  catalog: `  catalog [--node-packages DIR]...    print the node catalogue as JSON (with the node packages loaded and refused)
`,
  run: `  run <workflow.json> --out DIR [--provider cpu|webgpu|cuda] [--packs DIR]... [--output NODE]... [--set node.param=value]...
                                      [--uploads DIR]... (default $PTP_DATA_DIR/uploads or ~/.ptp-studio/uploads, then examples/uploads)
                                      [--node-packages DIR]... (node packages; also $PTP_NODE_PACKAGES, path-delimited)
                                      run a workflow headless (a .json file, or a studio PNG: the workflow it embeds);
                                      writes images and summary.json; refused before any node runs (nothing written)
                                      when it names a pack or upload this machine lacks, as validate says
                                      [--count N] [--seeds increment|random|fixed|7,8,9] [--rows rows.csv]: a batch (as the editor's Batch…),
                                      N runs per row (seeds + 1 per run by default; a list of seeds: one run each), rows of node.param columns; DIR/001, ... and batch.json
  run --server URL [--token T] <workflow.json> --out DIR [--provider P] [--output NODE]... [--set node.param=value]...
                                      run it on a studio server: progress streams here, outputs are downloaded
                                      (--count/--seeds/--rows too: the batch is queued whole, then downloaded run by run)
                                      [--front]: ahead of the runs waiting on the server (ComfyUI's Queue Front)
`,
  extract: `  extract <image.png>                 print the workflow embedded in a studio PNG
`,
  models: `  models import <export-dir> <pack-dir> [--name N] [--no-plain] [--json]
                [--no-fuse-uncontrolled | --fuse-uncontrolled (the default)] [--self-control-divisor 2]
                                      turn a diffusers/optimum ONNX export (plain or with fused attention) into a
                                      controllable pack; self layers no control reaches (side > latent / divisor)
                                      run fused (com.microsoft MultiHeadAttention) unless --no-fuse-uncontrolled
  models list [--packs DIR]...        the packs a runner sees
`,
  parity: `  parity [dir | --ref DIR] [--provider cpu|webgpu] [--case NAME]... [--stop-after N] [--json]
                                      reproduce the original P2P reference runs; one line per case
`,
  quality: `  quality [--pack tiny-scenes] [--samples 240] [--steps 20] [--guidance 7.5] [--seed 0] [--batch 32] [--provider P] [--out DIR] [--json] [--fail-below]
                                      [--packs DIR]... [--scheduler pack|pndm|ddim|euler|euler-ancestral] [--world auto|shapes|scenes] [--iou-scenes 100]
                                      generate captions of the pack's world, judge them; prompted colour/shape/background % vs the bars
                                      (scenes, default for a "*scenes*" pack: per object, object count and the attention IoU of object words)
`,
  sweep: `  sweep <workflow.json> [--grid node.param=v1,v2,...]... [--pairs pairs.json] [--seeds 1,2,3] --out DIR [--provider P] [--plot node.metric]...
                                      (at least one of --grid, --pairs or --seeds)
                                      [--source-node ID] [--target-node ID] [--save-images] [--max-cells N] [--packs DIR]... [--uploads DIR]... [--title T]
                                      --seeds: each cell on every seed (of --seed-node ID, default capture); tables average over pairs x seeds
                                      every grid cell x pair; results.csv (resumable), results.md (means ± 95 % t intervals), plot.svg;
                                      refused before any cell runs (nothing written) when a cell names a pack or upload this machine lacks,
                                      the workflow has no METRICS output (NO_METRICS) or a pair sets a node or param it lacks (exit 2)
                                      --redis URL [--redis-prefix P] [--in-flight N]: one job per cell, spread over ptp workers
                                      (their own packs: --packs with --redis is a usage error)
`,
  tune: `  tune <workflow.json> --pairs pairs.json --budget N --out DIR [--tune-seeds 1,2,3,4] [--test-seeds 101,102,103] [--steps N]
                                      [--weights success=3,iou=1,background=1,untouched=1] [--space space.json] [--search-seed S]
                                      [--schedule-node ID] [--blend-node ID|none] [--seed-node ID] [--metrics-node ID] [--per-pair-only] [--provider P] [--packs DIR]...
                                      [--select lcb|mean|min] [--lcb-z Z] [--first-seeds N] [--title T]
                                      [--uploads DIR]... [--save-images] [--source-node ID] [--target-node ID]
                                      per pair, successive halving over the schedule (cross, self, divisor, k, V beta) within N runs
                                      on the tuning seeds, and one setting for all pairs the same way; the winner among those scored on
                                      the most seeds by --select (lcb: mean J minus Z (1) standard errors; mean; min: worst seed); tuned per pair vs tuned for all
                                      vs reference defaults vs CL P2P on the held-back seeds;
                                      results.csv (resumable), results.json, results.md; refused before any run, as sweep,
                                      when the workflow or a pair names a pack or upload this machine lacks, the workflow has no METRICS output
                                      or a pair sets a node or param it lacks;
                                      --redis URL [--redis-prefix P] [--in-flight N]: as for sweep
`,
  serve: `  serve [--host H] [--port N] [--token T] [--data DIR] [--packs DIR]... [--provider P] [--allow-host NAME]... [--allow-origin URL]... [--ui DIR] [--redis URL] [--redis-prefix P]
                                      [--max-run-seconds S] [--max-run-memory-gb G] [--cache-mb M] [--keep-runs N] [--import-root DIR]...
                                      [--node-packages DIR]... (third-party node types; also $PTP_NODE_PACKAGES)
                                      start the studio server (editor, API, socket.io, queue); data in
                                      --data, $PTP_DATA_DIR or ~/.ptp-studio; a token is required beyond loopback
`,
  queue: `  queue --server URL [--token T] [status|pause|resume|clear]
                                      a studio server's queue: waiting and running counts, paused or not, the next
                                      waiting runs (status, the default); pause or resume it; clear cancels every waiting run
`,
  worker: `  worker --redis URL [--provider cpu|webgpu|cuda] [--packs DIR]... [--drain-timeout S] [--id NAME] [--threads N] [--redis-prefix P]
                                      [--node-module FILE]... [--node-packages DIR]... [--lock-ms N] [--stalled-ms N] [--poll-ms N] [--max-run-seconds S]
                                      one per GPU: run queued runs and sweep cells from Redis (BullMQ) for the
                                      packs it holds; SIGTERM finishes the current run or hands it back
`,
};

/** `pnpm ptp` runs the built CLI, packages/runner/dist/ptp.mjs (also the runner package's `ptp` bin). */
const header = (command: string) =>
  `usage: pnpm ptp ${command} [options]   (or: node packages/runner/dist/ptp.mjs ${command} ...)`;

const USAGE = `${header('<command>')}
       pnpm ptp <command> --help         one command's usage
       pnpm ptp --version                the studio's version and the formats it reads (also -v, -V)

commands:
${Object.values(COMMAND_USAGE).join('')}`;

/** One command's usage (`ptp <command> --help`, and after a usage mistake). */
function commandUsage(name: string): string {
  return `${header(name)}\n\n${COMMAND_USAGE[name]}`;
}

/** `--help` or `-h` anywhere among a command's arguments (before a `--` that ends the options). */
function asksForHelp(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/** Each command is loaded when it runs, so `ptp validate` never loads the server, the queue or onnxruntime. */
const commands: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./commands/validateCommand.js')).validateCommand,
  catalog: async () => (await import('./commands/catalogCommand.js')).catalogCommand,
  queue: async () => (await import('./commands/queueCommand.js')).queueCommand,
  run: async () => (await import('./commands/runCommand.js')).runCommand,
  models: async () => (await import('./commands/modelsCommand.js')).modelsCommand,
  extract: async () => (await import('./commands/extractCommand.js')).extractCommand,
  parity: async () => (await import('./commands/parityCommand.js')).parityCommand,
  quality: async () => (await import('./commands/qualityCommand.js')).qualityCommand,
  sweep: async () => (await import('./commands/sweepCommand.js')).sweepCommand,
  tune: async () => (await import('./commands/tuneCommand.js')).tuneCommand,
  serve: async () => (await import('./commands/serveCommand.js')).serveCommand,
  worker: async () => (await import('./commands/workerCommand.js')).workerCommand,
};

function unknownCommand(name: string): string {
  const near = closestWord(name, Object.keys(commands));
  return `unknown command "${name}"${near ? `; did you mean "${near}"?` : ''}\n(pnpm ptp --help lists the commands)`;
}

/** parseArgs' "Unknown option '--ot'. To specify a positional argument ..." as one line, with the option it likely meant. */
function unknownOption(command: string, message: string): string {
  const option = /Unknown option '([^']+)'/.exec(message)?.[1];
  if (!option) return message;
  const known = [...new Set(commandUsage(command).match(/--[a-z][a-z-]*/g) ?? [])];
  // An option of another subcommand (models import's --json given to models list).
  if (known.includes(option))
    return `${option} is not an option of this ${command} subcommand (see ptp ${command} --help)`;
  // A node's param given as an option: graphs' params are set with --set.
  const param = /^--(steps|seed|guidance|width|height|prompt|text|scheduler)$/.exec(option)?.[1];
  if (param && known.includes('--set'))
    return `unknown option ${option}; a node's params are set with --set NODE.${param}=VALUE (e.g. --set capture.steps=20)`;
  const near = closestWord(option, known);
  return `unknown option ${option}${near ? `; did you mean ${near}?` : ''}`;
}

/** What a bug report needs: the studio's version, the saved formats it reads and writes, and Node's. */
async function versionLine(): Promise<string> {
  const [{ STUDIO_VERSION }, { CURRENT_SCHEMA_VERSION }, { PTP_MANIFEST_VERSION }] = await Promise.all([
    import('../studioVersion.js'),
    import('@ptp/graph-core'),
    import('@ptp/nodes/diffusion'),
  ]);
  return `ptp-studio ${STUDIO_VERSION} (workflow schema ${CURRENT_SCHEMA_VERSION}, pack manifest ${PTP_MANIFEST_VERSION}, Node ${process.version})`;
}

/** Runs one CLI invocation and returns its exit code; never lets a stack trace reach the user. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === '-v' || name === 'version') {
    io.out(await versionLine());
    return EXIT.ok;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic && !Object.hasOwn(commands, topic)) {
      io.err(unknownCommand(topic));
      return EXIT.usage;
    }
    (name ? io.out : io.err)(topic ? commandUsage(topic) : USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    io.err(unknownCommand(name));
    return EXIT.usage;
  }
  if (asksForHelp(rest)) {
    io.out(commandUsage(name));
    return EXIT.ok;
  }
  try {
    return await (
      await command()
    )(rest, io);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const usage = err instanceof UsageError || code?.startsWith('ERR_PARSE_ARGS');
    io.err(
      `ptp ${name}: ${code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? unknownOption(name, (err as Error).message) : (err as Error).message}`,
    );
    // The whole usage for a bare command; after a specific mistake one line, so the message stays in view.
    if (usage && !(err instanceof UsageError && !err.showUsage))
      io.err(rest.length ? `(pnpm ptp ${name} --help shows its options)` : `\n${commandUsage(name)}`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}

/** Run as a program (`tsx main.ts`, `node dist/ptp.mjs`, the `ptp` bin through a symlink), not imported. */
function isEntryPoint(): boolean {
  try {
    return (
      process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then((code) => {
    // Long-running commands (serve) resolve only when they are done.
    process.exitCode = code;
  });
}
