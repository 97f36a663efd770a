import { once } from 'node:events';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { API_LIMITS, type AnyNodeDefinition, type ApiLimits } from '@ptp/graph-core';
import { createNodeRegistry, type PackInfo } from '@ptp/nodes';
import type { Server as SocketServer } from 'socket.io';
import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import type { Provider } from '../backends/providers.js';
import { openStudioDatabase, type StudioDatabase } from '../library/openStudioDatabase.js';
import { WorkflowLibrary } from '../library/WorkflowLibrary.js';
import { BoardStore } from '../library/BoardStore.js';
import { describePackageProblem, loadNodePackages, type LoadedNodePackages } from '../nodePackages/loadNodePackages.js';
import { BUNDLED_PACKS_DIR, PackStore } from '../packs/PackStore.js';
import { BullRunQueue } from '../queue/bull/BullRunQueue.js';
import type { RedisTarget } from '../queue/bull/redisConnection.js';
import { EmbeddedRunQueue } from '../queue/EmbeddedRunQueue.js';
import type { RunQueue } from '../queue/RunQueue.js';
import { RunStore } from '../queue/RunStore.js';
import { DirectoryUploadStore } from '../uploads/DirectoryUploadStore.js';
import { uploadsHave } from '../uploads/nodeRunResources.js';
import type { RunnerHas } from '../queue/prepareRun.js';
import { InferenceWorker } from '../worker/InferenceWorker.js';
import { ModelManager } from '../models/ModelManager.js';
import { attachSocket } from './attachSocket.js';
import { createApp } from './createApp.js';
import { lockDataDir, type DataDirLock } from './DataDirLock.js';
import { RequestGuard } from './RequestGuard.js';

export interface StudioServerOptions {
  /** Database, uploads and run outputs live here. */
  dataDir: string;
  host?: string;
  port?: number;
  token?: string | undefined;
  allowHosts?: readonly string[];
  allowOrigins?: readonly string[];
  /** Pack folders searched before the bundled packs. */
  packDirs?: readonly string[];
  provider?: Provider;
  uiDir?: string;
  limits?: Partial<ApiLimits>;
  /** Modules whose `nodes` export adds node types (server configuration, e.g. tests' nodes; never from clients). */
  nodeModules?: string[];
  /** Folders of node packages (`--node-packages`, $PTP_NODE_PACKAGES): server configuration, never from clients. */
  nodePackageDirs?: readonly string[];
  cancelGraceMs?: number;
  /** Start the worker process before the first run. */
  warmWorker?: boolean;
  /** Byte budget of the worker's output cache (default 256 MiB per provider). */
  cacheBytes?: number;
  /** Retention of the embedded queue: finished runs kept with their outputs (default 5000). */
  keepRuns?: number;
  /** Folders whose export sub-folders the model manager may import (default `<dataDir>/exports`). */
  importRoots?: readonly string[];
  /** Queue runs on BullMQ/Redis for `ptp worker` processes (any machine) instead of this process's worker. */
  redis?: RedisTarget;
  log?: (message: string) => void;
  version?: string;
}

export interface StudioServer {
  readonly url: string;
  readonly port: number;
  readonly http: HttpServer;
  readonly io: SocketServer;
  readonly queue: RunQueue;
  readonly worker: InferenceWorker;
  readonly library: WorkflowLibrary;
  readonly recovered: { interrupted: string[]; queued: number };
  /** The node packages loaded from `nodePackageDirs` (the refused ones were logged). */
  readonly nodePackages: LoadedNodePackages['packages'];
  close(): Promise<void>;
}

type Log = (message: string) => void;
type Registry = ReturnType<typeof createNodeRegistry>;

/** The `nodes` exports of the configured node modules. */
async function loadExtraNodes(modules: readonly string[]): Promise<AnyNodeDefinition[]> {
  const extraNodes: AnyNodeDefinition[] = [];
  for (const mod of modules)
    extraNodes.push(...(((await import(pathToFileURL(mod).href)) as { nodes?: AnyNodeDefinition[] }).nodes ?? []));
  return extraNodes;
}

/** The inference child process (started on its first run, or by `warm`). */
function startWorker(
  options: StudioServerOptions,
  o: {
    packDirs: string[];
    provider: Provider;
    uploadsDir: string;
    limits: ApiLimits;
    log: Log;
    nodePackages: LoadedNodePackages;
  },
): InferenceWorker {
  const { packDirs, provider, uploadsDir, limits, log } = o;
  return new InferenceWorker({
    packDirs,
    provider,
    uploadsDir,
    nodeModules: options.nodeModules ?? [],
    nodePackages: [...o.nodePackages.folders.values()].map(({ name, version, file }) => ({ name, version, file })),
    log,
    maxRunMs: limits.maxRunSeconds * 1000,
    maxRunMemoryBytes: limits.maxRunMemoryBytes,
    ...(options.cacheBytes !== undefined ? { cacheBytes: options.cacheBytes } : {}),
    ...(options.cancelGraceMs !== undefined ? { cancelGraceMs: options.cancelGraceMs } : {}),
  });
}

/** BullMQ on Redis when configured, else the embedded SQLite queue running on this process's worker. */
function createQueue(
  options: StudioServerOptions,
  o: {
    db: StudioDatabase;
    worker: InferenceWorker;
    registry: Registry;
    uploads: DirectoryUploadStore;
    limits: ApiLimits;
    log: Log;
  },
): RunQueue {
  const { db, worker, registry, uploads, limits, log } = o;
  return options.redis
    ? new BullRunQueue({ redis: options.redis, registry, uploads, maxQueuedRuns: limits.maxQueuedRuns, log })
    : new EmbeddedRunQueue({
        store: new RunStore(db),
        executor: worker,
        outputsDir: path.join(options.dataDir, 'runs'),
        maxQueuedRuns: limits.maxQueuedRuns,
        ...(options.keepRuns ? { keepRuns: options.keepRuns } : {}),
        log,
      });
}

/** Listens on host:port; the URL shows a bracketed IPv6 host, and 127.0.0.1 for 0.0.0.0. */
async function listen(http: HttpServer, requested: number, host: string): Promise<{ port: number; url: string }> {
  http.listen(requested, host);
  await once(http, 'listening');
  const port = (http.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return { port, url: `http://${shownHost}:${port}` };
}

/**
 * The whole studio server in one process: HTTP API + editor + socket.io on one port, SQLite
 * library and queue in `<dataDir>/studio.db`, uploads in `<dataDir>/uploads`, run outputs in
 * `<dataDir>/runs`, inference in a child process.
 */
export async function createStudioServer(options: StudioServerOptions): Promise<StudioServer> {
  const log = options.log ?? ((m: string) => console.error(m));
  const host = options.host ?? '127.0.0.1';
  const limits: ApiLimits = { ...API_LIMITS, ...options.limits };
  const guard = new RequestGuard({
    bindHost: host,
    token: options.token,
    allowHosts: options.allowHosts ?? [],
    allowOrigins: options.allowOrigins ?? [],
  });
  // The server validates with the same catalogue the worker runs.
  const nodePackages = await loadNodePackages(options.nodePackageDirs ?? []);
  for (const problem of nodePackages.problems) log(describePackageProblem(problem));
  const registry = createNodeRegistry([...(await loadExtraNodes(options.nodeModules ?? [])), ...nodePackages.nodes]);
  // Packs the model manager imports go to <dataDir>/packs, searched first.
  const managedPacks = path.join(options.dataDir, 'packs');
  const packDirs = [managedPacks, ...(options.packDirs ?? []).map((d) => path.resolve(d)), BUNDLED_PACKS_DIR];
  const uploadsDir = path.join(options.dataDir, 'uploads');
  const provider = options.provider ?? 'cpu';

  let db: StudioDatabase | undefined;
  let worker: InferenceWorker | undefined;
  let lock: DataDirLock | undefined;
  // The port first: a second server started by mistake (the port in use) stops here, before it
  // opens the data dir's database or recovers a queue another server is running.
  const http = createServer();
  try {
    const { port, url } = await listen(http, options.port ?? 8188, host);
    // Then the data dir: the embedded queue belongs to one server (with Redis, the queue is shared).
    if (!options.redis) {
      lock = await lockDataDir(options.dataDir, url);
      const stale = lock.tookOverFrom;
      if (stale) log(`data dir: took over the lock of pid ${stale.pid} (${stale.url}), which no longer answers`);
    }
    db = openStudioDatabase(path.join(options.dataDir, 'studio.db'));
    const library = new WorkflowLibrary(db, { registry });
    const boards = new BoardStore(db);
    worker = startWorker(options, { packDirs, provider, uploadsDir, limits, log, nodePackages });
    const uploads = new DirectoryUploadStore(uploadsDir);
    const queue = createQueue(options, { db, worker, registry, uploads, limits, log });
    const listing = new OrtNodeBackend({ provider, packs: new PackStore(packDirs) });
    const listPacks =
      queue instanceof BullRunQueue ? () => withWorkerPacks(queue, listing.listPacks()) : () => listing.listPacks();
    // In-process, the worker loads from packDirs: a run naming another pack is refused up front. With
    // Redis a worker that has it may join later, so the run waits for one instead. Uploads are this
    // server's either way (it ships them to Redis with the run).
    const uploadsHere = uploadsHave([uploadsDir]);
    const runnerHas = async (): Promise<RunnerHas> => ({
      uploads: uploadsHere,
      ...(queue instanceof BullRunQueue ? {} : { packs: (await new PackStore(packDirs).list()).map((p) => p.id) }),
    });
    const models = new ModelManager({
      managedDir: managedPacks,
      packDirs,
      importRoots: (options.importRoots ?? [path.join(options.dataDir, 'exports')]).map((d) => path.resolve(d)),
      summaries: listPacks,
      log,
    });
    const app = createApp({
      registry,
      guard,
      library,
      queue,
      boards,
      uploads,
      listPacks,
      runnerHas,
      models,
      limits,
      log,
      nodePackages,
      ...(options.uiDir ? { uiDir: options.uiDir } : {}),
      ...(options.version ? { version: options.version } : {}),
    });
    http.on('request', app);
    // Slow or stuck clients must not hold connections forever.
    http.headersTimeout = 20_000;
    http.requestTimeout = 120_000;
    const io = attachSocket(http, { queue, registry, guard, limits, log, has: runnerHas });
    if (options.warmWorker && !options.redis) await worker.warm();
    const recovered = await queue.start();
    const w = worker;
    const d = db;
    const l = lock;
    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      http,
      io,
      queue,
      worker: w,
      library,
      recovered,
      nodePackages: nodePackages.packages,
      close: () =>
        (closing ??= (async () => {
          io.close();
          http.closeAllConnections();
          await queue.close();
          await new Promise<void>((resolve) => http.close(() => resolve()));
          d.close();
          l?.release();
        })()),
    };
  } catch (err) {
    await worker?.close();
    db?.close();
    lock?.release();
    http.close();
    throw err;
  }
}

/** With Redis, the packs runs can use are the ones workers hold (plus this machine's). */
async function withWorkerPacks(queue: BullRunQueue, local: Promise<PackInfo[]>): Promise<PackInfo[]> {
  const packs = new Map((await local).map((p) => [p.id, p]));
  for (const worker of await queue.workers()) for (const p of worker.packs) if (!packs.has(p.id)) packs.set(p.id, p);
  return [...packs.values()].sort((a, b) => a.id.localeCompare(b.id));
}
