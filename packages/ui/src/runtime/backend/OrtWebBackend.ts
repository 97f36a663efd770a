import type { InferenceBackend, ModelPack, PackInfo } from '@ptp/nodes';
import {
  assembleModelPack,
  cacheUntilRejected,
  listPackInfos,
  OrtSession,
  packDirname,
  packJoin,
  parsePack,
  SerialQueue,
  type ParsedPack,
} from '@ptp/nodes/diffusion';
import * as ort from 'onnxruntime-web/webgpu';
import { fetchPackSource, PackFetchError, type PackSource } from './PackSource';
import { checkLoadable } from './checkLoadable';
import { scanOnnxModel, type OnnxModelScan } from './scanOnnxModel';
import { detectWebGpu, type WebProvider } from './webgpu';

export interface OrtWebBackendOptions {
  /** Where packs are fetched from; default `fetchPackSource(baseUrl)`. */
  packs?: PackSource;
  /** The editor's URL (packs live under `<baseUrl>/packs/`); needed when `packs` is not given. */
  baseUrl?: string | URL;
  /** `webgpu`, `wasm`, or `auto` (default): WebGPU when the browser gives an adapter, else wasm. */
  provider?: WebProvider | 'auto';
  /** Where onnxruntime-web finds its .wasm/.mjs (default: the bundler's asset URLs). */
  wasmPaths?: string;
  /**
   * WebGPU: keep session outputs on the GPU and download them concurrently (default true); false
   * lets onnxruntime copy each output back itself (for comparison: `pnpm bench browser`).
   */
  gpuOutputs?: boolean;
  /**
   * Start each session call in a new task (default true), so the worker reads a cancel mid-run on
   * wasm; false only to measure what that costs (`pnpm bench browser`).
   */
  yieldToMessages?: boolean;
}

/** The provider that will run, and why (for the UI and logs). */
export interface ResolvedProvider {
  provider: WebProvider;
  /** e.g. `SwiftShader (google)`; undefined on wasm. */
  adapter?: string;
  /** Why `auto` chose wasm. */
  fallbackReason?: string;
  /** WebGPU: the adapter has `shader-f16` (float16 models need it). */
  shaderF16?: boolean;
}

// One channel for every wait: making a MessageChannel per wait costs more than the wait.
let taskChannel: MessageChannel | undefined;
const waitingForTask: (() => void)[] = [];

/** Resolves in a later task (a message round trip: no 4 ms timer clamp), after the messages waiting. */
function nextTask(): Promise<void> {
  if (!taskChannel) {
    taskChannel = new MessageChannel();
    taskChannel.port1.onmessage = () => waitingForTask.shift()?.();
  }
  const channel = taskChannel;
  return new Promise((resolve) => {
    waitingForTask.push(resolve);
    channel.port2.postMessage(null);
  });
}

/**
 * Session calls start in a new task once `everyMs` has passed since the last one did.
 * onnxruntime-web on wasm computes on the worker's own thread and its promises settle without a
 * task boundary, so a whole run would otherwise go by without the worker reading its messages:
 * Cancel would arrive after the run had ended. A task per call costs a few ms each
 * (`pnpm bench browser`, wasm vs wasm-no-yield); one per `everyMs` bounds what Cancel waits.
 */
class YieldingQueue extends SerialQueue {
  #last = 0;
  constructor(private readonly everyMs = 100) {
    super();
  }
  override run<T>(work: () => Promise<T>): Promise<T> {
    return super.run(async () => {
      if (performance.now() - this.#last >= this.everyMs) {
        await nextTask();
        this.#last = performance.now();
      }
      return work();
    });
  }
}

/** Turns session-creation failures into errors that say what to do. */
function explainSessionError(provider: WebProvider, file: string, err: unknown): Error {
  const message = (err as Error).message ?? String(err);
  if (provider === 'webgpu')
    return new Error(
      `the WebGPU provider could not load ${file}: ${message}. Run in the browser on wasm (provider "wasm") or on the server`,
    );
  return new Error(`onnxruntime-web could not load ${file}: ${message}`);
}

/**
 * The onnxruntime-web backend (WebGPU, wasm fallback): the browser twin of the runner's
 * OrtNodeBackend. Pack parsing, model assembly and the session adapter are the shared diffusion
 * core of `@ptp/nodes/diffusion` (tokenizer, schedulers and manifest are the same code in both
 * runtimes); model files are fetched once and each gets one cached session.
 */
export class OrtWebBackend implements InferenceBackend {
  readonly name = 'onnxruntime-web';
  readonly packs: PackSource;
  readonly #ready: Promise<ResolvedProvider>;
  readonly #gpuOutputs: boolean;
  #resolved: ResolvedProvider | undefined;
  readonly #queue: SerialQueue;
  readonly #sessions = new Map<string, Promise<OrtSession<ort.Tensor>>>();
  readonly #parsed = new Map<string, Promise<ParsedPack>>();
  readonly #loaded = new Map<string, Promise<ModelPack>>();

  constructor(options: OrtWebBackendOptions = {}) {
    if (!options.packs && options.baseUrl === undefined) throw new Error('OrtWebBackend needs packs or baseUrl');
    this.packs = options.packs ?? fetchPackSource(options.baseUrl!);
    this.#gpuOutputs = options.gpuOutputs ?? true;
    this.#queue = options.yieldToMessages === false ? new SerialQueue() : new YieldingQueue();
    ort.env.logLevel = 'error';
    if (options.wasmPaths) ort.env.wasm.wasmPaths = options.wasmPaths;
    // Threads need SharedArrayBuffer, which only cross-origin-isolated pages have.
    ort.env.wasm.numThreads = globalThis.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1;
    this.#ready = this.#resolve(options.provider ?? 'auto').then((r) => (this.#resolved = r));
  }

  async #resolve(wanted: WebProvider | 'auto'): Promise<ResolvedProvider> {
    if (wanted === 'wasm') return { provider: 'wasm' };
    const gpu = await detectWebGpu();
    if (gpu.ok) return { provider: 'webgpu', adapter: gpu.adapter, shaderF16: gpu.shaderF16 };
    if (wanted === 'webgpu') throw new Error(`WebGPU is not available in this browser: ${gpu.reason}`);
    return { provider: 'wasm', fallbackReason: gpu.reason };
  }

  /** The provider in use once resolved (`webgpu` until then when asked for, else `pending`). */
  get provider(): string {
    return this.#resolved?.provider ?? 'pending';
  }

  /** Resolves the provider (WebGPU adapter check); runs wait for it anyway. */
  ready(): Promise<ResolvedProvider> {
    return this.#ready;
  }

  #parse(id: string): Promise<ParsedPack> {
    return cacheUntilRejected(this.#parsed, id, () =>
      parsePack((rel) => this.packs.text(id, rel), `pack "${id}"`).catch(async (err: unknown) => {
        if (!(err instanceof PackFetchError && err.status === 404 && err.url.endsWith('/ptp-manifest.json'))) throw err;
        const known = await this.packs.listIds().catch(() => []);
        throw new Error(
          `no model pack "${id}"${known.length ? `; available: ${known.join(', ')}` : ''} (packs served at ${this.packs.where})`,
        );
      }),
    );
  }

  async listPacks(): Promise<PackInfo[]> {
    return listPackInfos((await this.packs.listIds()).map((id) => ({ id, parse: () => this.#parse(id) })));
  }

  loadPack(id: string): Promise<ModelPack> {
    return cacheUntilRejected(this.#loaded, id, () => this.#load(id));
  }

  async #load(id: string): Promise<ModelPack> {
    return assembleModelPack(id, await this.#parse(id), (file, externalData) => this.session(id, file, externalData));
  }

  /** One session per pack file, created once. `externalData`: pack-relative paths next to the model. */
  session(id: string, file: string, externalData: readonly string[] = []): Promise<OrtSession<ort.Tensor>> {
    return cacheUntilRejected(this.#sessions, `${id}/${file}`, () => this.#createSession(id, file, externalData));
  }

  async #createSession(id: string, file: string, externalData: readonly string[]): Promise<OrtSession<ort.Tensor>> {
    const resolved = await this.#ready;
    const { provider } = resolved;
    const bytes = await this.packs.bytes(id, file);
    let scan: OnnxModelScan | undefined;
    try {
      scan = scanOnnxModel(bytes);
    } catch {
      // not readable as a ModelProto here: onnxruntime says why below
    }
    if (scan) checkLoadable(resolved, `${id}/${file}`, bytes.length, scan);
    const modelDir = packDirname(file);
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      logSeverityLevel: 3,
      graphOptimizationLevel: 'all',
      // Graph capture replays one recorded command stream: it needs static shapes and every node on
      // the GPU, which a pack's UNet (any image size, control inputs) does not promise.
      enableGraphCapture: false,
      ...(provider === 'webgpu' && this.#gpuOutputs ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
      // External data is named in the model relative to the model file; ort fetches it by URL
      // (streamed into one buffer per file when the server sends Content-Length) and, on WebGPU,
      // uploads each initializer from that buffer to the GPU without copying it into the wasm heap.
      ...(externalData.length
        ? {
            externalData: externalData.map((p) => ({
              path: modelDir === '.' ? p : p.slice(modelDir.length + 1),
              data: this.packs.url(id, packJoin(p)),
            })),
          }
        : {}),
    };
    try {
      const session = await this.#queue.run(() => ort.InferenceSession.create(bytes, options));
      return new OrtSession(session, (type, data, dims) => new ort.Tensor(type, data, dims), { queue: this.#queue });
    } catch (err) {
      throw explainSessionError(provider, `${id}/${file}`, err);
    }
  }

  async release(): Promise<void> {
    const sessions = await Promise.allSettled(this.#sessions.values());
    this.#sessions.clear();
    this.#loaded.clear();
    this.#parsed.clear();
    await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.release() : undefined)));
  }
}
