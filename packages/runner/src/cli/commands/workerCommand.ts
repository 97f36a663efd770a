import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { API_LIMITS, type PackSummary } from '@ptp/graph-core';
import { PROVIDERS, type Provider } from '../../backends/providers.js';
import { PackStore } from '../../packs/PackStore.js';
import { readPack } from '../../packs/readPack.js';
import { BullRunWorker } from '../../queue/bull/BullRunWorker.js';
import { checkRedisUrl, redactRedisUrl } from '../../queue/bull/redisConnection.js';
import { DirectoryUploadStore } from '../../uploads/DirectoryUploadStore.js';
import { InferenceWorker } from '../../worker/InferenceWorker.js';
import { EXIT, resolveUserPath, UsageError, type Command, type Io } from '../cliSupport.js';
import { userPackDirs } from '../packDirs.js';
import { cliNodePackages, NODE_PACKAGES_OPTION } from '../nodePackageOption.js';

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/** What `ptp worker` accepts; its usage (main.ts) names exactly these (main.test.ts). */
export const WORKER_OPTIONS = {
  redis: { type: 'string' },
  'redis-prefix': { type: 'string' },
  provider: { type: 'string', default: 'cpu' },
  packs: { type: 'string', multiple: true },
  id: { type: 'string' },
  // onnxruntime threads per run (CPU workers sharing a machine); default onnxruntime's own.
  threads: { type: 'string' },
  'drain-timeout': { type: 'string', default: '30' },
  'max-run-seconds': { type: 'string', default: String(API_LIMITS.maxRunSeconds) },
  // Tuning (tests use short ones so a dead worker is noticed in seconds).
  'lock-ms': { type: 'string' },
  'stalled-ms': { type: 'string' },
  'poll-ms': { type: 'string' },
  // Server configuration, like serve's: modules whose `nodes` export adds node types (tests).
  'node-module': { type: 'string', multiple: true },
  // Node packages, like serve's: the server and its workers need the same ones.
  ...NODE_PACKAGES_OPTION,
} as const;

/** The options, checked: --redis is required and must be a Redis URL, --provider a known one. */
function parseWorkerArgs(args: string[]) {
  const { values } = parseArgs({
    args,
    options: WORKER_OPTIONS,
    strict: true,
  });
  if (!values.redis) throw new UsageError('worker needs --redis URL (e.g. redis://127.0.0.1:6379)');
  try {
    checkRedisUrl(values.redis);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!(PROVIDERS as readonly string[]).includes(values.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  return { ...values, redis: values.redis };
}

/**
 * Resolves once the worker has stopped after SIGTERM or SIGINT: it finishes the current run for up
 * to `drainS` seconds; a second signal exits at once.
 */
function untilStopped(io: Io, worker: BullRunWorker, drainS: number): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        io.err(`[worker] ${signal} again: exiting now`);
        process.exit(EXIT.failed);
      }
      stopping = true;
      io.err(`[worker] ${signal}: finishing the current run (up to ${drainS} s), then stopping`);
      worker.stop(drainS * 1000).then(resolve, (err: Error) => {
        io.err(`[worker] stop: ${err.message}`);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

/**
 * `ptp worker --redis URL`: one per GPU. Runs queued runs and sweep cells from Redis (BullMQ),
 * one at a time, for the packs found in --packs (and the bundled ones). SIGTERM/SIGINT: stop
 * taking jobs, let the running one finish for --drain-timeout seconds, then hand it back.
 */
export const workerCommand: Command = async (args, io) => {
  const values = parseWorkerArgs(args);
  const provider = values.provider as Provider;
  const drainS = positiveInt('drain-timeout', values['drain-timeout'])!;
  const packDirs = userPackDirs(values.packs);
  const packs = await listPacks(packDirs);
  if (!packs.length)
    io.err(`ptp worker: no model packs in ${packDirs.join(', ')}; only graphs that load no model will come here`);

  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'ptp-worker-'));
  const uploadsDir = path.join(scratchDir, 'uploads');
  const log = (m: string) => io.err(`[worker] ${m}`);
  const threads = positiveInt('threads', values.threads);
  // The same per-run budgets as the embedded server: wall time here, memory in the nodes.
  const maxRunMs = positiveInt('max-run-seconds', values['max-run-seconds'])! * 1000;
  const { packages: nodePackages } = await cliNodePackages(values['node-packages'], io);
  const executor = new InferenceWorker({
    packDirs,
    provider,
    uploadsDir,
    nodeModules: (values['node-module'] ?? []).map(resolveUserPath),
    nodePackages: [...nodePackages.folders.values()].map(({ name, version, file }) => ({ name, version, file })),
    log,
    maxRunMs,
    ...(threads ? { intraOpThreads: threads } : {}),
  });
  await executor.warm();
  const worker = new BullRunWorker({
    redis: { url: values.redis, prefix: values['redis-prefix'] },
    executor,
    provider,
    packs,
    scratchDir,
    uploadCache: new DirectoryUploadStore(uploadsDir),
    ...(values.id ? { id: values.id } : {}),
    ...(values['lock-ms'] ? { lockDurationMs: positiveInt('lock-ms', values['lock-ms'])! } : {}),
    ...(values['stalled-ms'] ? { stalledIntervalMs: positiveInt('stalled-ms', values['stalled-ms'])! } : {}),
    ...(values['poll-ms'] ? { pollMs: positiveInt('poll-ms', values['poll-ms'])! } : {}),
    log,
  });
  await worker.start();
  io.out(
    `ptp worker ${worker.id} ready: provider ${provider}, packs ${packs.map((p) => p.id).join(', ') || '(none)'}, redis ${redactRedisUrl(values.redis)}`,
  );

  await untilStopped(io, worker, drainS);
  rmSync(scratchDir, { recursive: true, force: true });
  io.out(`ptp worker ${worker.id} stopped`);
  return EXIT.ok;
};

/** The packs this worker advertises (read from their manifests; onnxruntime stays out of this process). */
async function listPacks(dirs: string[]): Promise<PackSummary[]> {
  const out: PackSummary[] = [];
  for (const { id, dir } of await new PackStore(dirs).list()) {
    try {
      const pack = await readPack(dir);
      out.push({
        id,
        name: pack.manifest.name,
        defaultImageSize: pack.manifest.nominalLatentSize[0] * pack.vaeScale,
        ...(pack.manifest.samplePrompt ? { samplePrompt: pack.manifest.samplePrompt } : {}),
      });
    } catch {
      // An unreadable pack is not advertised: jobs for it go to workers that can load it.
    }
  }
  return out;
}
