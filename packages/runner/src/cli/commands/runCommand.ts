import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  Engine,
  errorPlace,
  loadDocument,
  type NodeRegistry,
  type RunEvent,
  type RunResult,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { isOutputFile } from '@ptp/nodes';
import { PROVIDERS } from '../../backends/providers.js';
import { defaultUploadsDir, nodeRunResources } from '../../uploads/nodeRunResources.js';
import { EXIT, resolveUserPath, UsageError, type Command, type Io } from '../cliSupport.js';
import { applySet } from '../applySet.js';
import { localBackend, onInterrupt } from '../localSetup.js';
import { cliNodePackages, NODE_PACKAGES_OPTION } from '../nodePackageOption.js';
import { progressPrinter } from '../progressPrinter.js';
import { runRemote } from './runRemote.js';

export const runCommand: Command = async (args, io) => {
  const { values, positionals } = parseRunArgs(args);
  if (values.server) {
    // Remote: the server runs it; --provider is passed on only when given (else the server's default).
    const provider = args.some((a) => a === '--provider' || a.startsWith('--provider=')) ? values.provider : undefined;
    return runRemote(
      {
        server: values.server,
        token: values.token ?? process.env.PTP_TOKEN,
        file: positionals[0]!,
        out: values.out!,
        provider,
        outputs: values.output,
        set: values.set,
      },
      io,
    );
  }
  const file = resolveUserPath(positionals[0]!);
  const outDir = resolveUserPath(values.out!);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${err.code ?? err.message}`);
  });

  const { registry } = await cliNodePackages(values['node-packages'], io);
  const loaded = loadDocument(text, { registry });
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`error ${e.code}: ${e.message}`);
    return EXIT.failed;
  }
  const doc = loaded.value;
  for (const assignment of values.set ?? []) applySet(doc, assignment);
  const backend = localBackend(values);
  const started = Date.now();
  const { result, events } = await runLocally({ doc, registry, backend, values, io });
  await backend.release();

  await mkdir(outDir, { recursive: true });
  const written = await writeOutputFiles(result, outDir, io);
  const summary = runSummary({ file, doc, result, events, backend, started, written });
  await writeFile(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (result.status !== 'success') {
    for (const e of result.errors)
      io.err(`${result.status === 'interrupted' ? 'interrupted' : 'error'} ${e.code}${errorPlace(e)}: ${e.message}`);
    return EXIT.failed;
  }
  io.out(
    `ok: ${written.length} file(s) in ${outDir} (${((Date.now() - started) / 1000).toFixed(1)} s on ${backend.provider})`,
  );
  return EXIT.ok;
};

function parseRunArgs(args: string[]) {
  const parsed = parseArgs({
    args,
    options: {
      provider: { type: 'string', default: 'cpu' },
      out: { type: 'string' },
      packs: { type: 'string', multiple: true },
      output: { type: 'string', multiple: true },
      set: { type: 'string', multiple: true },
      uploads: { type: 'string', multiple: true },
      server: { type: 'string' },
      token: { type: 'string' },
      ...NODE_PACKAGES_OPTION,
    },
    allowPositionals: true,
    strict: true,
  });
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('run takes exactly one workflow file');
  if (!values.out) throw new UsageError('run needs --out DIR');
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  return parsed;
}

type RunValues = ReturnType<typeof parseRunArgs>['values'];
type LocalBackend = ReturnType<typeof localBackend>;

/** Runs the document on this machine with progress on stderr; Ctrl-C aborts the run (its partial results are kept). */
async function runLocally(o: {
  doc: WorkflowDocument;
  registry: NodeRegistry;
  backend: LocalBackend;
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
      new Engine(registry, { backend: o.backend }).run(doc, {
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
      ...(summaries[n.id] !== undefined ? { summary: summaries[n.id] } : {}),
    })),
    outputs: o.written,
    errors: result.errors,
  };
}
