import { pathToFileURL } from 'node:url';
import { EXIT, processIo, UsageError, type Command, type Io } from './cliSupport.js';
import { catalogCommand } from './commands/catalogCommand.js';
import { extractCommand } from './commands/extractCommand.js';
import { modelsCommand } from './commands/modelsCommand.js';
import { parityCommand } from './commands/parityCommand.js';
import { runCommand } from './commands/runCommand.js';
import { serveCommand } from './commands/serveCommand.js';
import { validateCommand } from './commands/validateCommand.js';

const USAGE = `usage: pnpm ptp <command> [options]

commands:
  validate <workflow.json> [--json]   check a workflow; exit 0 valid, 1 invalid, 2 usage error
  catalog                             print the node catalogue as JSON
  run <workflow.json> --out DIR [--provider cpu|webgpu|cuda] [--packs DIR]... [--output NODE]... [--set node.param=value]...
                                      run a workflow headless; writes images and summary.json
  extract <image.png>                 print the workflow embedded in a studio PNG
  models import <export-dir> <pack-dir> [--name N] [--no-plain] [--json]
                                      turn a diffusers/optimum ONNX export into a controllable pack
  models list [--packs DIR]...        the packs a runner sees
  parity [dir] [--provider cpu|webgpu] [--case NAME]... [--stop-after N] [--json]
                                      reproduce the original P2P reference runs; one line per case
  serve [--host H] [--port N]         start the studio server
`;

const commands: Record<string, Command> = { validate: validateCommand, catalog: catalogCommand, run: runCommand, models: modelsCommand, extract: extractCommand, parity: parityCommand, serve: serveCommand };

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
