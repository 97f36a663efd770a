import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadDocument, type NodeRegistry, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { OrtNodeBackend } from '../../backends/OrtNodeBackend.js';
import { PROVIDERS, type Provider } from '../../backends/providers.js';
import { BUNDLED_PACKS_DIR, PackStore } from '../../packs/PackStore.js';
import { defaultUploadsDir, nodeRunResources } from '../../uploads/nodeRunResources.js';
import { EngineCellExecutor } from '../../sweep/EngineCellExecutor.js';
import { openQueueSweep } from '../../sweep/openQueueSweep.js';
import { runSweep, type CellExecutor, type SweepEvent, type SweepSummary } from '../../sweep/runSweep.js';
import {
  columnOf,
  PairsFileSchema,
  parseGridArg,
  planSweep,
  readPairs,
  SweepSpecError,
  type SweepCell,
  type SweepPair,
} from '../../sweep/sweepSpec.js';
import { sweepPlot } from '../../sweep/sweepPlot.js';
import { SweepResults } from '../../sweep/SweepResults.js';
import { sweepMarkdown } from '../../sweep/sweepTables.js';
import { EXIT, resolveUserPath, UsageError, type Command, type Io } from '../cliSupport.js';

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
  const loaded = loadDocument(await readText(file), { registry });
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`error ${e.code}: ${e.message}`);
    return EXIT.failed;
  }
  const doc = loaded.value;
  const cells = await planCells(doc, values);

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
  io.out(
    `ok: ${summary.total} cells (${what}); wrote ${['results.csv', 'results.md', 'plot.svg'].map((f) => path.join(outDir, f)).join(', ')}`,
  );
  return summary.failed ? EXIT.failed : EXIT.ok;
};

function parseSweepArgs(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      grid: { type: 'string', multiple: true },
      pairs: { type: 'string' },
      // Replicates: every cell on each seed, averaged over like pairs (means with 95 % intervals).
      seeds: { type: 'string' },
      'seed-node': { type: 'string', default: 'capture' },
      'source-node': { type: 'string', default: 'source' },
      'target-node': { type: 'string', default: 'target' },
      out: { type: 'string' },
      provider: { type: 'string', default: 'cpu' },
      packs: { type: 'string', multiple: true },
      uploads: { type: 'string', multiple: true },
      plot: { type: 'string', multiple: true },
      'save-images': { type: 'boolean', default: false },
      'max-cells': { type: 'string' },
      title: { type: 'string' },
      // Scale-out: one job per cell on the workers serving this Redis (ptp worker).
      redis: { type: 'string' },
      'redis-prefix': { type: 'string' },
      'in-flight': { type: 'string', default: '64' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('sweep takes exactly one workflow file');
  if (!values.out) throw new UsageError('sweep needs --out DIR');
  if (!values.grid?.length && !values.pairs && !values.seeds)
    throw new UsageError('sweep needs at least one --grid node.param=v1,v2,..., --pairs FILE or --seeds');
  if (values.seeds !== undefined && !/^\d+(,\d+)*$/.test(values.seeds))
    throw new UsageError(`--seeds takes non-negative integer seeds separated by commas, got "${values.seeds}"`);
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  const maxCells = values['max-cells'] === undefined ? Infinity : Number(values['max-cells']);
  if (!(maxCells >= 0)) throw new UsageError(`--max-cells takes a count, got "${values['max-cells']}"`);
  return { values, file: resolveUserPath(positionals[0]!), outDir: resolveUserPath(values.out), maxCells };
}

type SweepValues = ReturnType<typeof parseSweepArgs>['values'];

/** The grid's axes crossed with the prompt pairs of --pairs; a bad spec is a usage error. */
async function planCells(doc: WorkflowDocument, values: SweepValues): Promise<SweepCell[]> {
  try {
    const axes = (values.grid ?? []).map(parseGridArg);
    let pairs: SweepPair[] = [];
    if (values.pairs) {
      const parsed = PairsFileSchema.safeParse(parseJson(await readText(resolveUserPath(values.pairs)), values.pairs));
      if (!parsed.success)
        throw new UsageError(
          `${values.pairs}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`,
        );
      pairs = readPairs(parsed.data, { source: values['source-node'], target: values['target-node'] });
    }
    const replicates = values.seeds
      ? [{ node: values['seed-node'], param: 'seed', values: values.seeds.split(',').map(Number) }]
      : [];
    return planSweep(doc, axes, pairs, replicates);
  } catch (err) {
    if (err instanceof SweepSpecError) throw new UsageError(err.message);
    throw err;
  }
}

/** Where the cells run: jobs on the workers of --redis, or an engine with a local backend. */
export interface Execution {
  executor: CellExecutor;
  concurrency?: number;
  close(): Promise<void>;
}

/** Also `ptp tune`'s: the options it reads have the same names there. */
export async function openExecution(o: {
  args: string[];
  values: Pick<SweepValues, 'in-flight' | 'uploads' | 'save-images' | 'redis' | 'redis-prefix' | 'provider' | 'packs'>;
  io: Io;
  doc: WorkflowDocument;
  registry: NodeRegistry;
  outDir: string;
}): Promise<Execution> {
  const { values, doc, registry, outDir } = o;
  const inFlight = Number(values['in-flight']);
  if (!Number.isInteger(inFlight) || inFlight < 1)
    throw new UsageError(`--in-flight takes a positive count, got "${values['in-flight']}"`);
  const uploads = nodeRunResources((values.uploads ?? [defaultUploadsDir()]).map(resolveUserPath));
  const imagesDir = values['save-images'] ? path.join(outDir, 'images') : undefined;
  // With --redis the provider is only asked for when given (else any worker's own will do).
  const providerGiven = o.args.some((a) => a === '--provider' || a.startsWith('--provider='));
  const remote = values.redis
    ? await openQueueSweep({
        url: values.redis,
        prefix: values['redis-prefix'],
        inFlight,
        doc,
        registry,
        outDir,
        uploads: uploads.uploads!,
        ...(providerGiven ? { provider: values.provider as Provider } : {}),
        ...(imagesDir ? { imagesDir } : {}),
        log: (m) => o.io.err(`[queue] ${m}`),
      })
    : undefined;
  const backend = remote
    ? undefined
    : new OrtNodeBackend({
        provider: values.provider as Provider,
        packs: new PackStore([...(values.packs ?? []).map(resolveUserPath), BUNDLED_PACKS_DIR]),
      });
  const executor =
    remote?.executor ??
    new EngineCellExecutor(doc, registry, backend!, { resources: uploads, ...(imagesDir ? { imagesDir } : {}) });
  return {
    executor,
    ...(remote ? { concurrency: remote.concurrency } : {}),
    close: async () => {
      await backend?.release();
      await remote?.close();
    },
  };
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
  let sigints = 0;
  const onSigint = () => {
    if (++sigints > 1) process.exit(130);
    io.err('\nstopping: the running cell is dropped, finished ones are kept (Ctrl-C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
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
    process.off('SIGINT', onSigint);
    await execution.close();
  });
  return { summary, sigints };
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

export async function readText(file: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${err.code ?? err.message}`);
  });
}

export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name} is not JSON: ${(err as Error).message}`);
  }
}
