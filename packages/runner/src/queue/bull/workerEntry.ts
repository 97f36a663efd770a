/**
 * `ptp worker` without the rest of the CLI: the same command, but importing only what a worker
 * needs, so tests and benchmarks that start several workers on one machine start them faster.
 */
import { processIo } from '../../cli/cliSupport.js';
import { workerCommand } from '../../cli/commands/workerCommand.js';

workerCommand(process.argv.slice(2), processIo).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    processIo.err(`ptp worker: ${err.message}`);
    process.exitCode = 1;
  },
);
