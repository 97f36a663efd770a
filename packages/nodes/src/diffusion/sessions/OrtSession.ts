import type { ModelSession, Tensor, TensorData, TensorType } from '../../runtime/InferenceBackend.js';

// The one adapter from an onnxruntime session (onnxruntime-node or onnxruntime-web, both built on
// onnxruntime-common) to the runtime-neutral `ModelSession` nodes use. Typed structurally: this
// module imports no onnxruntime package; each backend passes its own session and tensor constructor.

/** The parts of an onnxruntime-common `Tensor` the adapter reads. */
export interface OrtLikeTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  /** `cpu`, or e.g. `gpu-buffer` for outputs kept on the GPU (onnxruntime-web on WebGPU). */
  readonly location: string;
  /** Downloads a GPU tensor (and with `true` frees its buffer); CPU tensors return their data. */
  getData(releaseData?: boolean): Promise<unknown>;
  dispose(): void;
}

/** The parts of an onnxruntime-common `InferenceSession` the adapter uses. */
export interface OrtLikeSession<T extends OrtLikeTensor> {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly (
    | { readonly name: string; readonly isTensor: false }
    | {
        readonly name: string;
        readonly isTensor: true;
        readonly type: string;
        readonly shape: readonly (number | string)[];
      }
  )[];
  run(feeds: Record<string, T>): Promise<Record<string, T>>;
  run(feeds: Record<string, T>, fetches: string[]): Promise<Record<string, T>>;
  release(): Promise<void>;
}

/** Builds the runtime's tensor from plain data (`(type, data, dims) => new ort.Tensor(type, data, dims)`). */
export type MakeOrtTensor<T extends OrtLikeTensor> = (type: TensorType, data: TensorData, dims: readonly number[]) => T;

/** Serializes work: one run at a time on the device (onnxruntime-web sessions are not re-entrant). */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

export interface OrtSessionOptions {
  /** Runs go through this queue (the browser backend shares one per device); default: run directly. */
  queue?: SerialQueue;
}

const TENSOR_TYPES = new Set<string>(['float32', 'int64', 'int32']);

/**
 * An onnxruntime session behind the runtime-neutral `ModelSession` interface. Outputs left on the
 * GPU (onnxruntime-web with `preferredOutputLocation: 'gpu-buffer'`) come back with one concurrent
 * download per output: the UNet returns the noise prediction and the attention maps in one step,
 * and reading them in parallel saves a GPU round trip per extra output. onnxruntime-node outputs
 * are on the CPU and are taken as they are.
 */
export class OrtSession<T extends OrtLikeTensor> implements ModelSession {
  readonly #session: OrtLikeSession<T>;
  readonly #makeTensor: MakeOrtTensor<T>;
  readonly #queue: SerialQueue | undefined;
  readonly #meta = new Map<string, { type: TensorType; dims: readonly (number | string)[] }>();

  constructor(session: OrtLikeSession<T>, makeTensor: MakeOrtTensor<T>, options: OrtSessionOptions = {}) {
    this.#session = session;
    this.#makeTensor = makeTensor;
    this.#queue = options.queue;
    for (const m of session.inputMetadata) {
      if (m.isTensor && TENSOR_TYPES.has(m.type)) this.#meta.set(m.name, { type: m.type as TensorType, dims: m.shape });
    }
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  inputMeta(name: string) {
    return this.#meta.get(name);
  }

  run(feeds: Readonly<Record<string, Tensor>>, outputs?: readonly string[]): Promise<Record<string, Tensor>> {
    const work = () => this.#run(feeds, outputs);
    return this.#queue ? this.#queue.run(work) : work();
  }

  async #run(feeds: Readonly<Record<string, Tensor>>, outputs?: readonly string[]): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, T> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = this.#makeTensor(t.type, t.data, t.dims);
    const result = outputs ? await this.#session.run(ortFeeds, [...outputs]) : await this.#session.run(ortFeeds);
    const settled = await Promise.allSettled(
      Object.entries(result).map(async ([name, t]): Promise<[string, Tensor]> => {
        if (!TENSOR_TYPES.has(t.type)) throw new Error(`output ${name} has unsupported type ${t.type}`);
        // getData(true) downloads a GPU tensor and frees its buffer; CPU tensors return their data.
        const data = (t.location === 'cpu' ? t.data : await t.getData(true)) as TensorData;
        return [name, { type: t.type as TensorType, dims: [...t.dims], data }];
      }),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      for (const t of Object.values(result)) if (t.location === 'gpu-buffer') t.dispose(); // no GPU buffer outlives a failed run
      throw failed.reason;
    }
    return Object.fromEntries(settled.map((s) => (s as PromiseFulfilledResult<[string, Tensor]>).value));
  }

  release(): Promise<void> {
    return this.#session.release();
  }
}
