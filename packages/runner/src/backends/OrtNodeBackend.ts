import path from 'node:path';
import type { InferenceBackend, ModelPack, PackInfo } from '@ptp/nodes';
import * as ort from 'onnxruntime-node';
import { PackStore } from '../packs/PackStore.js';
import { packSchedulers } from '../packs/parsePack.js';
import { readPack } from '../packs/readPack.js';
import { OrtModelSession } from './OrtModelSession.js';
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
  readonly #sessions = new Map<string, Promise<OrtModelSession>>();
  readonly #loaded = new Map<string, Promise<ModelPack>>();

  constructor(options: OrtNodeBackendOptions = {}) {
    this.provider = options.provider ?? 'cpu';
    this.packs = options.packs ?? new PackStore();
    this.#options = options;
    preflight(this.provider);
  }

  async listPacks(): Promise<PackInfo[]> {
    const out: PackInfo[] = [];
    for (const { id, dir } of await this.packs.list()) {
      try {
        const files = await readPack(dir);
        out.push({ id, name: files.manifest.name, defaultImageSize: files.manifest.nominalLatentSize[0] * files.vaeScale });
      } catch {
        // An unreadable pack is left out of the list; loading it by id reports why.
      }
    }
    return out;
  }

  loadPack(id: string): Promise<ModelPack> {
    let pack = this.#loaded.get(id);
    if (!pack) {
      pack = this.#load(id);
      this.#loaded.set(id, pack);
      pack.catch(() => this.#loaded.delete(id)); // a failed load may succeed later (pack fixed)
    }
    return pack;
  }

  async #load(id: string): Promise<ModelPack> {
    const dir = await this.packs.resolve(id);
    const files = await readPack(dir);
    const { manifest } = files;
    const [textEncoder, unet, vaeDecoder, vaeEncoder] = await Promise.all([
      this.session(path.join(dir, manifest.components.textEncoder)),
      this.session(path.join(dir, manifest.unet.model)),
      this.session(path.join(dir, manifest.components.vaeDecoder)),
      manifest.components.vaeEncoder ? this.session(path.join(dir, manifest.components.vaeEncoder)) : Promise.resolve(undefined),
    ]);
    return {
      id,
      tokenizer: files.tokenizer,
      textEncoder,
      unet,
      vaeDecoder,
      ...(vaeEncoder ? { vaeEncoder } : {}),
      layout: manifest,
      vaeScalingFactor: files.vaeScalingFactor,
      vaeScale: files.vaeScale,
      defaultImageSize: manifest.nominalLatentSize[0] * files.vaeScale,
      ...packSchedulers(files.schedulerConfig),
    };
  }

  /** One session per model file and provider, created once. */
  session(file: string): Promise<OrtModelSession> {
    let s = this.#sessions.get(file);
    if (!s) {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: [this.provider],
        logSeverityLevel: 3,
        ...(this.#options.intraOpThreads ? { intraOpNumThreads: this.#options.intraOpThreads } : {}),
      };
      s = ort.InferenceSession.create(file, options).then(
        (session) => new OrtModelSession(session),
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
