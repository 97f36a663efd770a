import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { errorPlace, loadDocument, type NodeRegistry, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { runSweep, type SweepEvent, type SweepSummary } from '../../sweep/runSweep.js';
import {
  columnOf,
  parseGridArg,
  planSweep,
  SweepSpecError,
  type SweepCell,
  type SweepPair,
} from '../../sweep/sweepSpec.js';
import { sweepPlot } from '../../sweep/sweepPlot.js';
import { SweepResults } from '../../sweep/SweepResults.js';
import { sweepMarkdown } from '../../sweep/sweepTables.js';
import { checkOutDir, EXIT, resolveUserPath, UsageError, type Command, type Io } from '../cliSupport.js';
import { paramProblem } from '../../workflowParams.js';
import { readWorkflowText } from '../workflowFile.js';
import {
  checkExecutionValues,
  checkPairs,
  EXECUTION_OPTIONS,
  openExecution,
  readPairsFile,
  stopOnSigint,
  type Execution,
} from './cellExecution.js';
import { lackedByCells } from './lackedByCells.js';

/** One line per cell on stderr, or a bar redrawn in place on a terminal. */
function progressBar(io: Io, tty: boolean) {
  const started = Date.now();
  let ran = 0;
  return (e: SweepEvent) => {
    if (e.type === 'started') return;
    if (e.type === 'finished') ran++;
    const width = 30;
    const filled = Math.round((e.done / e.total) * width);
    const perCell = ran ? (Date.now() - started) / ran : 0;
    const eta = perCell ? ` eta ${Math.round((perCell * (e.total - e.done)) / 1000)} s` : '';
    const what =
      e.type === 'skipped'
        ? 'done before'
        : e.result.status === 'ok'
          ? `${(e.result.ms / 1000).toFixed(1)} s`
          : `FAILED: ${e.result.error}`;
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${e.done}/${e.total}${eta}  ${e.cell.pair ?? ''} ${e.cell.axes.map((c) => `${c}=${JSON.stringify(e.cell.assignments.find((a) => columnOf(a) === c)?.value)}`).join(' ')} (${what})`;
    if (tty) process.stderr.write(`\r\x1b[K${line}${e.done === e.total ? '\n' : ''}`);
    else io.err(line);
  };
}

/**
 * `ptp sweep <workflow> --grid node.param=v1,v2 [--grid ...] [--pairs pairs.json] --out DIR`:
 * every combination of the grid (for each prompt pair), results.csv appended cell by cell
 * (a rerun skips finished cells), then results.md and plot.svg. Ctrl-C stops after writing them.
 */
export const sweepCommand: Command = async (args, io) => {
  const { values, file, outDir, maxCells } = parseSweepArgs(args);
  const registry = createNodeRegistry();
  const text = await readWorkflowText(file);
  const loaded = text.ok ? loadDocument(text.value, { registry }) : text;
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`error ${e.code}: ${e.message}`);
    return EXIT.failed;
  }
  const doc = loaded.value;
  const cells = await planCells(doc, registry, values);
  // A pack or upload this machine lacks is refused here, as `ptp run` refuses it, and a workflow
  // with no METRICS output: nothing written.
  const lacked = await lackedByCells({ values, doc, registry, cells, keepImages: values['save-images'] });
  if (lacked.length) {
    for (const e of lacked) io.err(`error ${e.code}${errorPlace(e)}: ${e.message}`);
    return EXIT.failed;
  }

  await checkOutDir(outDir);
  await mkdir(outDir, { recursive: true });
  const results = await SweepResults.open(path.join(outDir, 'results.csv'), {
    paramColumns: cells.flatMap((c) => c.assignments.map(columnOf)),
  });
  await writeFile(
    path.join(outDir, 'sweep.json'),
    `${JSON.stringify({ workflow: file, grid: values.grid ?? [], pairs: values.pairs ?? null, seeds: values.seeds ?? null, cells }, null, 2)}\n`,
  );
  const execution = await openExecution({ args, values, io, doc, registry, outDir });
  const { summary, sigints } = await runCells({ io, cells, results, execution, maxCells });

  await writeReports({ values, doc, file, outDir, cells, results });
  const what = `${summary.ran} computed, ${summary.skipped} already done, ${summary.failed} failed`;
  if (summary.interrupted) {
    io.err(
      `stopped: ${what}, ${summary.total - summary.ran - summary.skipped} left; run the same command again to resume`,
    );
    return sigints ? EXIT.failed : EXIT.ok; // --max-cells stops on purpose
  }
  const wrote = ['results.csv', 'results.md', 'plot.svg'].map((f) => path.join(outDir, f)).join(', ');
  if (summary.failed) {
    // Said on stderr, with what to do: the failed cells' errors are in results.csv; a rerun retries only them.
    io.err(
      `${summary.failed} of ${summary.total} cells failed (${what}): their errors are in results.csv, and the same command again retries only them; wrote ${wrote}`,
    );
    return EXIT.failed;
  }
  io.out(`ok: ${summary.total} cells (${what}); wrote ${wrote}`);
  return EXIT.ok;
};

/** What `ptp sweep` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const SWEEP_OPTIONS = {
  grid: { type: 'string', multiple: true },
  pairs: { type: 'string' },
  // Replicates: every cell on each seed, averaged over like pairs (means with 95 % intervals).
  seeds: { type: 'string' },
  'seed-node': { type: 'string', default: 'capture' },
  out: { type: 'string' },
  plot: { type: 'string', multiple: true },
  'max-cells': { type: 'string' },
  title: { type: 'string' },
  ...EXECUTION_OPTIONS,
} as const;

function parseSweepArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: SWEEP_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('sweep takes exactly one workflow file');
  if (!values.out) throw new UsageError('sweep needs --out DIR');
  if (!values.grid?.length && !values.pairs && !values.seeds)
    throw new UsageError('sweep needs at least one --grid node.param=v1,v2,..., --pairs FILE or --seeds');
  if (values.seeds !== undefined && !/^\d+(,\d+)*$/.test(values.seeds))
    throw new UsageError(`--seeds takes non-negative integer seeds separated by commas, got "${values.seeds}"`);
  checkExecutionValues(values);
  const maxCells = values['max-cells'] === undefined ? Infinity : Number(values['max-cells']);
  // 0 would still run one cell (the stop is checked as a cell finishes): a count of at least 1.
  if (!(Number.isInteger(maxCells) && maxCells >= 1) && maxCells !== Infinity)
    throw new UsageError(`--max-cells takes a count of cells (1 or more), got "${values['max-cells']}"`);
  return { values, file: resolveUserPath(positionals[0]!), outDir: resolveUserPath(values.out), maxCells };
}

type SweepValues = ReturnType<typeof parseSweepArgs>['values'];

/** The grid's axes crossed with the prompt pairs of --pairs; a bad spec is a usage error. */
async function planCells(doc: WorkflowDocument, registry: NodeRegistry, values: SweepValues): Promise<SweepCell[]> {
  try {
    const axes = (values.grid ?? []).map(parseGridArg);
    const pairs: SweepPair[] = values.pairs ? await readPairsFile(values.pairs, values) : [];
    if (values.pairs) checkPairs(doc, registry, pairs, values.pairs);
    const replicates = values.seeds
      ? [{ node: values['seed-node'], param: 'seed', values: values.seeds.split(',').map(Number) }]
      : [];
    // A misspelt param or a value its schema refuses would fail (or silently change nothing in) every cell.
    for (const a of [...axes, ...replicates])
      for (const value of a.values) {
        const problem = paramProblem(doc, registry, a.node, a.param, value);
        if (problem) throw new SweepSpecError(`--grid ${columnOf(a)}: ${problem}`);
      }
    return planSweep(doc, axes, pairs, replicates);
  } catch (err) {
    if (err instanceof SweepSpecError) throw new UsageError(err.message);
    throw err;
  }
}

/** Runs the cells with a progress bar; the first Ctrl-C (or --max-cells new cells) stops, a second quits. */
async function runCells(o: {
  io: Io;
  cells: SweepCell[];
  results: SweepResults;
  execution: Execution;
  maxCells: number;
}): Promise<{ summary: SweepSummary; sigints: number }> {
  const { io, execution } = o;
  const controller = new AbortController();
  const sigint = stopOnSigint(
    io,
    controller,
    'stopping: the running cell is dropped, finished ones are kept (Ctrl-C again to quit at once)',
  );
  const bar = progressBar(io, Boolean(process.stderr.isTTY));
  let newCells = 0;
  const summary = await runSweep({
    cells: o.cells,
    executor: execution.executor,
    ...(execution.concurrency !== undefined ? { concurrency: execution.concurrency } : {}),
    results: o.results,
    signal: controller.signal,
    onEvent: (e) => {
      bar(e);
      if (e.type === 'finished' && ++newCells >= o.maxCells) controller.abort();
    },
  }).finally(async () => {
    sigint.dispose();
    await execution.close();
  });
  return { summary, sigints: sigint.count() };
}

/** plot.svg and results.md from every result so far (this run's and earlier ones'). */
async function writeReports(o: {
  values: SweepValues;
  doc: WorkflowDocument;
  file: string;
  outDir: string;
  cells: SweepCell[];
  results: SweepResults;
}): Promise<void> {
  const { values, file, outDir, cells, results } = o;
  const title = values.title ?? `Sweep of ${o.doc.metadata.name || path.basename(file)}`;
  const command = [
    'pnpm ptp sweep',
    path.relative(process.env.INIT_CWD ?? process.cwd(), file),
    ...(values.grid ?? []).map((g) => `--grid '${g}'`),
    ...(values.pairs ? [`--pairs ${values.pairs}`] : []),
    ...(values.seeds ? [`--seeds ${values.seeds}`, `--seed-node ${values['seed-node']}`] : []),
    `--out ${values.out}`,
  ].join(' ');
  await writeFile(
    path.join(outDir, 'plot.svg'),
    sweepPlot({
      cells,
      results: results.results,
      columns: results.columns,
      ...(values.plot ? { metrics: values.plot } : {}),
    }),
  );
  await writeFile(
    path.join(outDir, 'results.md'),
    sweepMarkdown({ title, command, cells, results: results.results, columns: results.columns, plot: 'plot.svg' }),
  );
}
