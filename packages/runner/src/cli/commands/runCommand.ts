import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  Engine,
  errorPlace,
  loadDocument,
  runTargets,
  validateGraph,
  type BatchRun,
  type GraphError,
  type NodeRegistry,
  type RunEvent,
  type RunResult,
  type ValidateOptions,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { isOutputFile } from '@ptp/nodes';
import { PROVIDERS } from '../../backends/providers.js';
import { defaultUploadsDir, nodeRunResources } from '../../uploads/nodeRunResources.js';
import { checkOutDir, EXIT, resolveUserPath, UsageError, type Command, type Io } from '../cliSupport.js';
import { applySet } from '../applySet.js';
import { checkServerUrl } from '../serverErrors.js';
import { localBackend, onInterrupt } from '../localSetup.js';
import { localRunnerHas } from '../localRunnerHas.js';
import { cliNodePackages, NODE_PACKAGES_OPTION } from '../nodePackageOption.js';
import { progressPrinter } from '../progressPrinter.js';
import { batchRunDir, finishRuns, type BatchReportRun } from './batchReport.js';
import { closestWord } from '../closestWord.js';
import { clearBeforeFirstWrite } from './clearPreviousRun.js';
import { planCliBatch } from './planCliBatch.js';
import { runRemote } from './runRemote.js';
import { readWorkflowText } from '../workflowFile.js';

export const runCommand: Command = async (args, io) => {
  const { values, positionals } = parseRunArgs(args);
  const file = resolveUserPath(positionals[0]!);
  const outDir = resolveUserPath(values.out!);
  // Said before the run, not after it when its files cannot be written.
  await checkOutDir(outDir);
  const text = await readWorkflowText(file);
  const { registry } = await cliNodePackages(values['node-packages'], io);
  const loaded = text.ok ? loadDocument(text.value, { registry }) : text;
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`error ${e.code}${errorPlace(e)}: ${e.message}`);
    return EXIT.failed;
  }
  const doc = loaded.value;
  for (const assignment of values.set ?? []) applySet(doc, registry, assignment);
  for (const id of values.output ?? []) {
    // A node inside a block (block/inner) is checked by the run itself.
    if (id.includes('/')) continue;
    const node = doc.nodes.find((n) => n.id === id);
    if (!node) {
      const near = closestWord(
        id,
        doc.nodes.map((n) => n.id),
      );
      throw new UsageError(
        `--output ${id}: no node "${id}" in the workflow${near ? `; did you mean "${near}"?` : ''}`,
        {
          showUsage: false,
        },
      );
    }
    const def = registry.get(node.type);
    // Running up to any node is allowed (it warms the cache); only output nodes write files.
    if (def && !def.output)
      io.err(`note: --output ${id}: ${def.title} is not an output node; it runs, but writes no file`);
  }
  // What a muted node silences runs nowhere: said first, so a missing file is no surprise.
  for (const w of validateGraph(doc, registry).warnings)
    if (w.code === 'MUTED_INPUT') io.err(`note: ${w.nodeId} does not run: ${w.message.replace(/^does not run: /, '')}`);
  const batch = values.count !== undefined || values.rows !== undefined || values.seeds !== undefined;
  // A local run is checked against the packs and uploads it would search, so one naming a pack it
  // lacks is refused before any node runs (and writes nothing), as a server refuses it.
  const has = values.server ? {} : await localRunnerHas(values);
  const planned = batch ? await planCliBatch(doc, registry, values, has) : checkRun(doc, registry, has, values.output);
  if (!Array.isArray(planned)) {
    for (const e of planned.errors) io.err(`error ${e.code}${errorPlace(e)}: ${e.message}`);
    return EXIT.failed;
  }
  if (values.server) {
    // Remote: the server runs it; --provider is passed on only when given (else the server's default).
    const provider = args.some((a) => a === '--provider' || a.startsWith('--provider=')) ? values.provider : undefined;
    return runRemote(
      {
        server: values.server,
        token: values.token ?? process.env.PTP_TOKEN,
        file,
        outDir,
        doc,
        provider,
        outputs: values.output,
        front: values.front,
        ...(batch ? { batch: planned } : {}),
      },
      io,
    );
  }
  const backend = localBackend(values, io);
  const started = Date.now();
  const engine = new Engine(registry, { backend });
  const runs: BatchReportRun[] = [];
  const beforeWrite = clearBeforeFirstWrite(outDir, io);
  try {
    for (const [i, run] of planned.entries()) {
      // One folder per run of a batch (001, 002, ...); the engine's cache carries what runs share.
      const dir = batch ? batchRunDir(outDir, i) : outDir;
      if (batch) io.err(`run ${i + 1}/${planned.length}${run.label ? ` (${run.label})` : ''} -> ${dir}`);
      const one = await runOne({ file, doc: run.document, engine, registry, backend, values, io, dir, beforeWrite });
      runs.push({ label: run.label, dir: path.relative(outDir, dir) || '.', status: one.status, outputs: one.written });
      if (one.status === 'interrupted') break;
    }
  } finally {
    await backend.release();
  }
  if (batch) await beforeWrite(); // batch.json is written even when every run was refused
  return finishRuns(io, {
    batch,
    outDir,
    workflow: { file, name: doc.metadata.name },
    runs,
    planned: planned.length,
    took: `${((Date.now() - started) / 1000).toFixed(1)} s on ${backend.provider}`,
  });
};

/** One run into `dir`: its files and summary.json; errors printed. */
async function runOne(o: {
  file: string;
  doc: WorkflowDocument;
  engine: Engine;
  registry: NodeRegistry;
  backend: LocalBackend;
  values: RunValues;
  io: Io;
  dir: string;
  beforeWrite: () => Promise<void>;
}): Promise<{ status: RunResult['status']; written: string[] }> {
  const started = Date.now();
  const { result, events } = await runLocally(o);
  // Refused before any node ran (validation, a node's check): nothing is written, as for a server refusal.
  if (result.status === 'error' && !result.executed.length && !result.cached.length) {
    for (const e of result.errors) o.io.err(`error ${e.code}${errorPlace(e)}: ${e.message}`);
    return { status: result.status, written: [] };
  }
  await o.beforeWrite();
  await mkdir(o.dir, { recursive: true });
  const written = await writeOutputFiles(result, o.dir, o.io);
  const summary = runSummary({ ...o, result, events, started, written });
  await writeFile(path.join(o.dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  for (const e of result.errors)
    o.io.err(`${result.status === 'interrupted' ? 'interrupted' : 'error'} ${e.code}${errorPlace(e)}: ${e.message}`);
  return { status: result.status, written };
}

/** One run, as the engine would refuse it and with the packs and uploads it can load (`has`). */
function checkRun(
  doc: WorkflowDocument,
  registry: NodeRegistry,
  has: ValidateOptions,
  outputs: readonly string[] | undefined,
): BatchRun[] | { errors: GraphError[] } {
  if (!has.packs && !has.uploads) return [{ document: doc, label: '', row: 0 }];
  const { blocking } = runTargets(validateGraph(doc, registry, has), outputs);
  return blocking.length ? { errors: blocking } : [{ document: doc, label: '', row: 0 }];
}

/** What `ptp run` accepts (its usage in main.ts names each; main.test.ts checks both ways). */
export const RUN_OPTIONS = {
  provider: { type: 'string', default: 'cpu' },
  out: { type: 'string' },
  packs: { type: 'string', multiple: true },
  output: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  uploads: { type: 'string', multiple: true },
  server: { type: 'string' },
  token: { type: 'string' },
  front: { type: 'boolean' },
  // A batch (as the editor's Batch…): runs per row, their seeds, rows of node.param values.
  count: { type: 'string' },
  seeds: { type: 'string' },
  rows: { type: 'string' },
  ...NODE_PACKAGES_OPTION,
} as const;

function parseRunArgs(args: string[]) {
  const parsed = parseArgs({
    args,
    options: RUN_OPTIONS,
    allowPositionals: true,
    strict: true,
  });
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('run takes exactly one workflow file');
  if (!values.out) throw new UsageError('run needs --out DIR');
  if (values.server !== undefined) checkServerUrl(values.server);
  if (values.front && !values.server)
    throw new UsageError('--front is for --server runs (it places them in the server queue)');
  if (values.token !== undefined && !values.server)
    throw new UsageError('--token is for --server runs (a local run needs none)');
  // The server uses its own folders: said rather than ignored.
  for (const local of ['packs', 'uploads'] as const)
    if (values.server && values[local])
      throw new UsageError(`--${local} is for local runs; a --server run uses the server's own (ptp serve --${local})`);
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  return parsed;
}

type RunValues = ReturnType<typeof parseRunArgs>['values'];
type LocalBackend = ReturnType<typeof localBackend>;

/** Runs the document on this machine with progress on stderr; Ctrl-C aborts the run (its partial results are kept). */
async function runLocally(o: {
  doc: WorkflowDocument;
  engine: Engine;
  registry: NodeRegistry;
  values: RunValues;
  io: Io;
}): Promise<{ result: RunResult; events: RunEvent[] }> {
  const { doc, registry, values } = o;
  const titles = new Map(doc.nodes.map((n) => [n.id, registry.get(n.type)?.title ?? n.type]));
  const events: RunEvent[] = [];
  const print = progressPrinter(o.io, titles);
  const controller = new AbortController();
  const result = await onInterrupt(
    () => controller.abort(),
    () =>
      o.engine.run(doc, {
        signal: controller.signal,
        // Load image reads uploads by id from --uploads (default the data dir's), then the bundled examples'.
        resources: nodeRunResources((values.uploads ?? [defaultUploadsDir()]).map(resolveUserPath)),
        ...(values.output ? { outputs: values.output } : {}),
        onEvent: (e) => {
          events.push(e);
          print(e);
        },
      }),
  );
  return { result, events };
}

/** The output nodes' files, into `outDir` under their base names; returns the names written. */
async function writeOutputFiles(result: RunResult, outDir: string, io: Io): Promise<string[]> {
  const written: string[] = [];
  for (const [nodeId, outputs] of result.outputs) {
    for (const value of Object.values(outputs)) {
      if (!Array.isArray(value)) continue;
      for (const f of value.filter(isOutputFile)) {
        const name = path.basename(f.name); // node-chosen names never leave the output folder
        await writeFile(path.join(outDir, name), f.data);
        written.push(name);
        io.err(`wrote ${path.join(outDir, name)} (${nodeId})`);
      }
    }
  }
  return written;
}

/** summary.json: the workflow, the status, the backend, per-node times, cache hits and summaries, the files. */
function runSummary(o: {
  file: string;
  doc: WorkflowDocument;
  result: RunResult;
  events: RunEvent[];
  backend: LocalBackend;
  started: number;
  written: string[];
}) {
  const { doc, result, events } = o;
  const durations = Object.fromEntries(
    events.flatMap((e) => (e.type === 'node_executed' ? [[e.nodeId, Math.round(e.durationMs)]] : [])),
  );
  // Node summaries (e.g. a Cycle node's PSNR/SSIM) so numbers a graph measures reach the summary file.
  const summaries = Object.fromEntries(
    events.flatMap((e) => (e.type === 'node_executed' && e.summary !== undefined ? [[e.nodeId, e.summary]] : [])),
  );
  return {
    workflow: { file: o.file, name: doc.metadata.name },
    status: result.status,
    provider: o.backend.provider,
    backend: o.backend.name,
    startedAt: new Date(o.started).toISOString(),
    totalMs: Date.now() - o.started,
    nodes: doc.nodes.map((n) => ({
      id: n.id,
      type: n.type,
      params: n.params,
      ms: durations[n.id] ?? null,
      cached: result.cached.includes(n.id),
      ...(n.mode ? { mode: n.mode } : {}), // a bypassed node has no time: it never ran
      ...(summaries[n.id] !== undefined ? { summary: summaries[n.id] } : {}),
    })),
    outputs: o.written,
    errors: result.errors,
  };
}
