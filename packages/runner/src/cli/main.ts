import { pathToFileURL } from 'node:url';
import { EXIT, processIo, UsageError, type Command, type Io } from './cliSupport.js';
import { catalogCommand } from './commands/catalogCommand.js';
import { extractCommand } from './commands/extractCommand.js';
import { modelsCommand } from './commands/modelsCommand.js';
import { parityCommand } from './commands/parityCommand.js';
import { qualityCommand } from './commands/qualityCommand.js';
import { runCommand } from './commands/runCommand.js';
import { serveCommand } from './commands/serveCommand.js';
import { sweepCommand } from './commands/sweepCommand.js';
import { validateCommand } from './commands/validateCommand.js';
import { workerCommand } from './commands/workerCommand.js';

const USAGE = `usage: pnpm ptp <command> [options]

commands:
  validate <workflow.json> [--json]   check a workflow; exit 0 valid, 1 invalid, 2 usage error
  catalog                             print the node catalogue as JSON
  run <workflow.json> --out DIR [--provider cpu|webgpu|cuda] [--packs DIR]... [--output NODE]... [--set node.param=value]...
                                      [--uploads DIR]... (default $PTP_DATA_DIR/uploads or ~/.ptp-studio/uploads, then examples/uploads)
                                      run a workflow headless; writes images and summary.json
  run --server URL [--token T] <workflow.json> --out DIR [--provider P] [--output NODE]... [--set node.param=value]...
                                      run it on a studio server: progress streams here, outputs are downloaded
  extract <image.png>                 print the workflow embedded in a studio PNG
  models import <export-dir> <pack-dir> [--name N] [--no-plain] [--json]
                                      turn a diffusers/optimum ONNX export into a controllable pack
  models list [--packs DIR]...        the packs a runner sees
  parity [dir] [--provider cpu|webgpu] [--case NAME]... [--stop-after N] [--json]
                                      reproduce the original P2P reference runs; one line per case
  quality [--pack tiny-shapes] [--samples 240] [--steps 20] [--guidance 7.5] [--seed 0] [--batch 32] [--provider P] [--out DIR] [--json] [--fail-below]
                                      generate tiny-shapes captions, judge them; prompted colour/shape/background % vs the bars
  sweep <workflow.json> --grid node.param=v1,v2,... [--grid ...] [--pairs pairs.json] --out DIR [--provider P] [--plot node.metric]...
                                      [--source-node ID] [--target-node ID] [--save-images] [--max-cells N]
                                      every grid cell x pair; results.csv (resumable), results.md, plot.svg
                                      --redis URL [--in-flight N]: one job per cell, spread over ptp workers
  serve [--host H] [--port N] [--token T] [--data DIR] [--packs DIR]... [--provider P] [--allow-host NAME]... [--allow-origin URL]... [--ui DIR] [--redis URL]
                                      start the studio server (editor, API, socket.io, queue); data in
                                      --data, $PTP_DATA_DIR or ~/.ptp-studio; a token is required beyond loopback
  worker --redis URL [--provider cpu|webgpu|cuda] [--packs DIR]... [--drain-timeout S] [--id NAME] [--threads N] [--redis-prefix P]
                                      one per GPU: run queued runs and sweep cells from Redis (BullMQ) for the
                                      packs it holds; SIGTERM finishes the current run or hands it back
`;

const commands: Record<string, Command> = { validate: validateCommand, catalog: catalogCommand, run: runCommand, models: modelsCommand, extract: extractCommand, parity: parityCommand, quality: qualityCommand, sweep: sweepCommand, serve: serveCommand, worker: workerCommand };

/** Runs one CLI invocation and returns its exit code; never lets a stack trace reach the user. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.out : io.err)(USAGE);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands[name];
  if (!command) {
    io.err(`unknown command "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    const usage = err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    io.err(`ptp ${name}: ${(err as Error).message}`);
    if (usage) io.err(`\n${USAGE}`);
    return usage ? EXIT.usage : EXIT.failed;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then((code) => {
    // Long-running commands (serve) resolve only when they are done.
    process.exitCode = code;
  });
}
