/**
 * The inference worker process: runs the engine and onnxruntime off the server's event loop, so
 * a long run, a native crash or a kill never stalls the API. Started by InferenceWorker with
 * `fork`; speaks workerProtocol over IPC; one run at a time; exits when the server goes away.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine, OutputCache, type AnyNodeDefinition, type RunResources, type RunOutput } from '@ptp/graph-core';
import { createNodeRegistry, isOutputFile, NodePackageCollector } from '@ptp/nodes';
import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import type { Provider } from '../backends/providers.js';
import { PackStore } from '../packs/PackStore.js';
import {
  DEFAULT_WORKER_CACHE_BYTES,
  type FromWorker,
  type RunJob,
  type RunOutcome,
  type ToWorker,
  type WorkerConfig,
} from './workerProtocol.js';
import { createRunResources } from './createRunResources.js';
import { collectMetrics } from './collectMetrics.js';

const send = (msg: FromWorker) => process.send?.(msg);

/** Only plain names leave a node: anything else is reduced to its base name and checked again. */
const SAFE_NAME = /^[A-Za-z0-9 _.-]{1,200}$/;

let config: WorkerConfig;
let engines: Map<string, { engine: Engine<OrtNodeBackend>; backend: OrtNodeBackend }>;
let resources: RunResources = {};
const extraNodes: AnyNodeDefinition[] = [];
const running = new Map<string, AbortController>();

async function init(c: WorkerConfig): Promise<void> {
  config = c;
  engines = new Map();
  for (const mod of c.nodeModules ?? []) {
    const loaded = (await import(pathToFileURL(mod).href)) as { nodes?: AnyNodeDefinition[] };
    extraNodes.push(...(loaded.nodes ?? []));
  }
  // The same checks as the server's: a package that loads differently here is skipped, not fatal.
  const packages = new NodePackageCollector();
  for (const p of c.nodePackages ?? []) await packages.add(p, () => import(pathToFileURL(p.file).href));
  for (const problem of packages.problems)
    console.error(`[worker] node package ${problem.package}: ${problem.message} [${problem.code}]; skipped`);
  extraNodes.push(...packages.nodes);
  resources = await createRunResources(c);
}

function engineFor(provider: string) {
  let entry = engines.get(provider);
  if (!entry) {
    // One engine (and output cache) per provider: CPU and GPU results differ in the last bits.
    const backend = new OrtNodeBackend({
      provider: provider as Provider,
      packs: new PackStore(config.packDirs),
      ...(config.intraOpThreads ? { intraOpThreads: config.intraOpThreads } : {}),
    });
    const cache = new OutputCache({ maxBytes: config.cacheBytes ?? DEFAULT_WORKER_CACHE_BYTES });
    entry = { engine: new Engine(createNodeRegistry(extraNodes), { backend, resources, cache }), backend };
    engines.set(provider, entry);
  }
  return entry;
}

async function run(job: RunJob): Promise<RunOutcome> {
  const controller = new AbortController();
  running.set(job.runId, controller);
  try {
    const { engine } = engineFor(job.options.provider ?? config.provider);
    const result = await engine.run(job.workflow, {
      runId: job.runId,
      signal: controller.signal,
      ...(job.options.targets ? { outputs: job.options.targets } : {}),
      onEvent: (event) => send({ type: 'event', event }),
    });
    const outputs: RunOutput[] = [];
    if (result.status === 'success') {
      await mkdir(job.outDir, { recursive: true });
      const taken = new Set<string>();
      for (const [nodeId, values] of result.outputs) {
        for (const value of Object.values(values)) {
          if (!Array.isArray(value)) continue;
          for (const file of value.filter(isOutputFile)) {
            let name = path.basename(file.name);
            // A node package's odd name still gets a servable one, keeping its extension.
            let ext = path.extname(name);
            if (!SAFE_NAME.test(name) || name.startsWith('.')) {
              if (!SAFE_NAME.test(ext)) ext = '';
              name = `output_${outputs.length}${ext}`;
            }
            for (let i = 1; taken.has(name); i++) name = `${path.basename(name, ext)}_${i}${ext}`;
            taken.add(name);
            await writeFile(path.join(job.outDir, name), file.data);
            outputs.push({ name, nodeId, mime: file.mime, size: file.data.byteLength });
          }
        }
      }
    }
    // METRICS values go back with the outcome (sweep cells run by queue workers report them).
    const metrics =
      result.status === 'success'
        ? collectMetrics(
            job.workflow,
            result.outputs,
            engineFor(job.options.provider ?? config.provider).engine.registry,
          )
        : [];
    return { status: result.status, errors: result.errors, outputs, ...(metrics.length ? { metrics } : {}) };
  } finally {
    running.delete(job.runId);
  }
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'init') {
    init(msg.config).then(
      () => send({ type: 'ready', pid: process.pid }),
      (err: Error) => send({ type: 'fatal', message: `worker start failed: ${err.message}` }),
    );
  } else if (msg.type === 'run') {
    run(msg.job).then(
      (outcome) => send({ type: 'done', runId: msg.job.runId, outcome }),
      (err: Error) =>
        send({
          type: 'done',
          runId: msg.job.runId,
          outcome: {
            status: 'error',
            errors: [{ code: 'NODE_FAILED', message: `worker: ${err.message}`, severity: 'error' }],
            outputs: [],
          },
        }),
    );
  } else if (msg.type === 'cancel') {
    running.get(msg.runId)?.abort();
  }
});

// The server went away (crash, kill): nothing is left to report to, so stop.
process.on('disconnect', () => process.exit(0));
