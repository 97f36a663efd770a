import path from 'node:path';
import type { InferenceBackend, ModelPack, PackInfo } from '@ptp/nodes';
import { assembleModelPack, cacheUntilRejected, listPackInfos, OrtSession } from '@ptp/nodes/diffusion';
import * as ort from 'onnxruntime-node';
import { PackStore } from '../packs/PackStore.js';
import { readPack } from '../packs/readPack.js';
import { explainProviderError, preflight, type Provider } from './providers.js';

export interface OrtNodeBackendOptions {
  provider?: Provider;
  packs?: PackStore;
  /** Threads per session for the CPU provider (default: onnxruntime's choice). */
  intraOpThreads?: number;
}

/**
 * The onnxruntime-node backend: loads packs from a PackStore, keeps one session per model file
 * (sessions are expensive to create), and hands nodes runtime-neutral `ModelPack`s.
 */
export class OrtNodeBackend implements InferenceBackend {
  readonly name = 'onnxruntime-node';
  readonly provider: Provider;
  readonly packs: PackStore;
  readonly #options: OrtNodeBackendOptions;
  readonly #sessions = new Map<string, Promise<OrtSession<ort.Tensor>>>();
  readonly #loaded = new Map<string, Promise<ModelPack>>();

  constructor(options: OrtNodeBackendOptions = {}) {
    this.provider = options.provider ?? 'cpu';
    this.packs = options.packs ?? new PackStore();
    this.#options = options;
    preflight(this.provider);
  }

  async listPacks(): Promise<PackInfo[]> {
    return listPackInfos((await this.packs.list()).map(({ id, dir }) => ({ id, parse: () => readPack(dir) })));
  }

  loadPack(id: string): Promise<ModelPack> {
    return cacheUntilRejected(this.#loaded, id, () => this.#load(id));
  }

  async #load(id: string): Promise<ModelPack> {
    const dir = await this.packs.resolve(id);
    // onnxruntime-node finds a model's external data next to the model file itself.
    return assembleModelPack(id, await readPack(dir), (file) => this.session(path.join(dir, file)));
  }

  /** One session per model file and provider, created once. */
  session(file: string): Promise<OrtSession<ort.Tensor>> {
    let s = this.#sessions.get(file);
    if (!s) {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: [this.provider],
        logSeverityLevel: 3,
        ...(this.#options.intraOpThreads ? { intraOpNumThreads: this.#options.intraOpThreads } : {}),
      };
      s = ort.InferenceSession.create(file, options).then(
        (session) => new OrtSession(session, (type, data, dims) => new ort.Tensor(type, data, dims)),
        (err: unknown) => {
          this.#sessions.delete(file);
          throw explainProviderError(this.provider, err);
        },
      );
      this.#sessions.set(file, s);
    }
    return s;
  }

  async release(): Promise<void> {
    const sessions = await Promise.allSettled(this.#sessions.values());
    this.#sessions.clear();
    this.#loaded.clear();
    await Promise.all(sessions.map((s) => (s.status === 'fulfilled' ? s.value.release() : undefined)));
  }
}
