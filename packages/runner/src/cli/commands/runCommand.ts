import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, errorPlace, loadDocument, type RunEvent } from '@ptp/graph-core';
import { createNodeRegistry, type OutputFile } from '@ptp/nodes';
import { PROVIDERS } from '../../backends/providers.js';
import { defaultUploadsDir, nodeRunResources } from '../../uploads/nodeRunResources.js';
import { EXIT, resolveUserPath, UsageError, type Command } from '../cliSupport.js';
import { applySet } from '../applySet.js';
import { localBackend, onInterrupt } from '../localSetup.js';
import { progressPrinter } from '../progressPrinter.js';
import { runRemote } from './runRemote.js';

function isOutputFile(v: unknown): v is OutputFile {
  return typeof v === 'object' && v !== null && typeof (v as OutputFile).name === 'string' && (v as OutputFile).data instanceof Uint8Array;
}

export const runCommand: Command = async (args, io) => {
  const { values, positionals } = parseArgs({
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
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('run takes exactly one workflow file');
  if (!values.out) throw new UsageError('run needs --out DIR');
  if (!(PROVIDERS as readonly string[]).includes(values.provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  if (values.server) {
    // Remote: the server runs it; --provider is passed on only when given (else the server's default).
    const provider = args.some((a) => a === '--provider' || a.startsWith('--provider=')) ? values.provider : undefined;
    return runRemote({ server: values.server, token: values.token ?? process.env.PTP_TOKEN, file: positionals[0]!, out: values.out, provider, outputs: values.output, set: values.set }, io);
  }
  const file = resolveUserPath(positionals[0]!);
  const outDir = resolveUserPath(values.out);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${file}: ${err.code ?? err.message}`);
  });

  const registry = createNodeRegistry();
  const loaded = loadDocument(text, { registry });
  if (!loaded.ok) {
    for (const e of loaded.errors) io.err(`error ${e.code}: ${e.message}`);
    return EXIT.failed;
  }
  const doc = loaded.value;
  for (const assignment of values.set ?? []) applySet(doc, assignment);
  const backend = localBackend(values);
  const titles = new Map(doc.nodes.map((n) => [n.id, registry.get(n.type)?.title ?? n.type]));
  const events: RunEvent[] = [];
  const print = progressPrinter(io, titles);
  const controller = new AbortController();
  const started = Date.now();
  const result = await onInterrupt(
    () => controller.abort(),
    () =>
      new Engine(registry, { backend }).run(doc, {
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
  await backend.release();

  await mkdir(outDir, { recursive: true });
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
  const durations = Object.fromEntries(events.flatMap((e) => (e.type === 'node_executed' ? [[e.nodeId, Math.round(e.durationMs)]] : [])));
  // Node summaries (e.g. a Cycle node's PSNR/SSIM) so numbers a graph measures reach the summary file.
  const summaries = Object.fromEntries(events.flatMap((e) => (e.type === 'node_executed' && e.summary !== undefined ? [[e.nodeId, e.summary]] : [])));
  const summary = {
    workflow: { file, name: doc.metadata.name },
    status: result.status,
    provider: backend.provider,
    backend: backend.name,
    startedAt: new Date(started).toISOString(),
    totalMs: Date.now() - started,
    nodes: doc.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params, ms: durations[n.id] ?? null, cached: result.cached.includes(n.id), ...(summaries[n.id] !== undefined ? { summary: summaries[n.id] } : {}) })),
    outputs: written,
    errors: result.errors,
  };
  await writeFile(path.join(outDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  if (result.status !== 'success') {
    for (const e of result.errors) io.err(`${result.status === 'interrupted' ? 'interrupted' : 'error'} ${e.code}${errorPlace(e)}: ${e.message}`);
    return EXIT.failed;
  }
  io.out(`ok: ${written.length} file(s) in ${outDir} (${((Date.now() - started) / 1000).toFixed(1)} s on ${backend.provider})`);
  return EXIT.ok;
};
