// The engine's Web Worker: graph-core's Engine with every node of @ptp/nodes (and the studio
// server's node packages) on the onnxruntime-web backend, so runs never block the main thread.
import { Engine, loadDocument, type NodePackageProblem, type NodeRegistry, type RunEvent } from '@ptp/graph-core';
import { ChainedUploadStore, createNodeRegistry, MemoryUploadStore, NodePackageCollector } from '@ptp/nodes';
import { OrtWebBackend } from './backend/OrtWebBackend';
import { BrowserImageDecoder } from './BrowserImageDecoder';
import { FetchUploadStore } from './FetchUploadStore';
import { splitOutputs } from './plainOutputs';
import { ToWorkerSchema, type FromWorker, type NodePackageModule, type WorkerError } from './protocol';

interface WorkerScope {
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<unknown>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

const memoryUploads = new MemoryUploadStore();
interface Loaded {
  registry: NodeRegistry;
  engine: Engine<OrtWebBackend>;
  problems: NodePackageProblem[];
}
let state: { backend: OrtWebBackend; loaded: Promise<Loaded>; uploads: ChainedUploadStore } | undefined;
const controllers = new Map<string, AbortController>();
// Runs execute one after another: they share the device, the sessions and the output cache.
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  scope.postMessage(message, transfer);
}

/**
 * The registry with the server's node packages, imported from the URLs the server serves them at
 * and checked like the server does (NodePackageCollector): one that fails here is skipped and
 * reported in `info`; the built-in nodes always work.
 */
async function loadRegistry(backend: OrtWebBackend, packages: NodePackageModule[]): Promise<Loaded> {
  const collector = new NodePackageCollector();
  for (const p of packages) await collector.add(p, () => import(/* @vite-ignore */ p.url));
  for (const problem of collector.problems)
    console.warn(`node package ${problem.package} skipped: ${problem.message} [${problem.code}]`);
  const registry = createNodeRegistry(collector.nodes);
  return { registry, engine: new Engine(registry, { backend }), problems: collector.problems };
}

function fail(requestId: string | undefined, code: WorkerError['code'], message: string): void {
  post({ type: 'failed', ...(requestId ? { requestId } : {}), error: { code, message } });
}

async function execute(
  requestId: string,
  document: unknown,
  targets: string[] | undefined,
  signal: AbortSignal,
): Promise<void> {
  const { engine, registry } = await state!.loaded;
  const { uploads } = state!;
  const loaded = loadDocument(document, { registry });
  if (!loaded.ok) {
    // Refused before the engine: still report it as the run's error event, like the engine does.
    const runId = `browser-${requestId}`;
    const first = loaded.errors[0]!;
    const event: RunEvent = {
      type: 'error',
      runId,
      seq: 0,
      time: Date.now(),
      code: first.code,
      message: first.message,
      errors: loaded.errors,
    };
    post({ type: 'event', requestId, event });
    post({
      type: 'result',
      requestId,
      result: { runId, status: 'error', files: [], executed: [], cached: [], errors: loaded.errors },
    });
    return;
  }
  const result = await engine.run(loaded.value, {
    signal,
    ...(targets ? { outputs: targets } : {}),
    resources: { uploads, imageDecoder: new BrowserImageDecoder() },
    onEvent: (event) => post({ type: 'event', requestId, event }),
  });
  const { files, plain, transfer } = splitOutputs(result.outputs);
  post(
    {
      type: 'result',
      requestId,
      result: {
        runId: result.runId,
        status: result.status,
        files,
        executed: result.executed,
        cached: result.cached,
        errors: result.errors,
        outputs: plain,
      },
    },
    transfer,
  );
}

scope.addEventListener('message', (e) => {
  const parsed = ToWorkerSchema.safeParse(e.data);
  if (!parsed.success) {
    const requestId = (e.data as { requestId?: unknown } | null)?.requestId;
    fail(
      typeof requestId === 'string' ? requestId : undefined,
      'BAD_MESSAGE',
      `the engine worker got a malformed message: ${parsed.error.issues[0]?.message}`,
    );
    return;
  }
  const msg = parsed.data;
  switch (msg.type) {
    case 'init': {
      if (state) return; // one backend per worker; a second init is a no-op
      const backend = new OrtWebBackend({
        baseUrl: msg.baseUrl,
        provider: msg.provider,
        gpuOutputs: msg.gpuOutputs,
        yieldToMessages: msg.yieldToMessages,
      });
      state = {
        backend,
        loaded: loadRegistry(backend, msg.nodePackages),
        uploads: new ChainedUploadStore([memoryUploads, new FetchUploadStore(msg.baseUrl, msg.token)]),
      };
      return;
    }
    case 'uploads':
      for (const u of msg.uploads) memoryUploads.add(u);
      return;
    case 'info': {
      if (!state) return fail(msg.requestId, 'NOT_INITIALIZED', 'the engine worker got a request before init');
      const { backend, loaded } = state;
      backend
        .ready()
        .then(async (r) => {
          const { problems } = await loaded;
          post({
            type: 'info',
            requestId: msg.requestId,
            info: {
              backend: backend.name,
              ...r,
              packs: await backend.listPacks(),
              ...(problems.length ? { nodePackageProblems: problems } : {}),
            },
          });
        })
        .catch((err: unknown) => fail(msg.requestId, 'BACKEND_FAILED', (err as Error).message));
      return;
    }
    case 'cancel':
      controllers.get(msg.requestId)?.abort();
      return;
    case 'run': {
      if (!state) return fail(msg.requestId, 'NOT_INITIALIZED', 'the engine worker got a run before init');
      const controller = new AbortController();
      controllers.set(msg.requestId, controller);
      queue = queue
        .then(() => execute(msg.requestId, msg.document, msg.targets, controller.signal))
        .catch((err: unknown) =>
          fail(msg.requestId, 'BACKEND_FAILED', `the run failed outside the graph: ${(err as Error).message}`),
        )
        .finally(() => controllers.delete(msg.requestId));
      return;
    }
  }
});
