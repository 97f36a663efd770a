import type { ModelSession, Tensor, TensorType } from '@ptp/nodes';
import * as ort from 'onnxruntime-web/webgpu';

/** Serializes work: one run at a time on the device (onnxruntime-web sessions are not re-entrant). */
export class RunQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(work, work);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}

const TENSOR_TYPES = new Set<string>(['float32', 'int64', 'int32']);

/**
 * An onnxruntime-web session behind the runtime-neutral `ModelSession` interface. On WebGPU the
 * outputs stay on the GPU (`preferredOutputLocation: 'gpu-buffer'`) and come back with one
 * concurrent download per output: the UNet returns the noise prediction and the attention maps
 * in one step, and reading them in parallel saves a GPU round trip per extra output.
 */
export class OrtWebSession implements ModelSession {
  readonly #session: ort.InferenceSession;
  readonly #queue: RunQueue;
  readonly #meta = new Map<string, { type: TensorType; dims: readonly (number | string)[] }>();

  constructor(session: ort.InferenceSession, queue: RunQueue) {
    this.#session = session;
    this.#queue = queue;
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
    return this.#queue.run(async () => {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const result = outputs ? await this.#session.run(ortFeeds, [...outputs]) : await this.#session.run(ortFeeds);
      const settled = await Promise.allSettled(
        Object.entries(result).map(async ([name, t]): Promise<[string, Tensor]> => {
          if (!TENSOR_TYPES.has(t.type)) throw new Error(`output ${name} has unsupported type ${t.type}`);
          // getData(true) downloads a GPU tensor and frees its buffer; CPU tensors return their data.
          const data = (t.location === 'cpu' ? t.data : await t.getData(true)) as Tensor['data'];
          return [name, { type: t.type as TensorType, dims: [...t.dims], data }];
        }),
      );
      const failed = settled.find((s) => s.status === 'rejected');
      if (failed) {
        for (const t of Object.values(result)) if (t.location === 'gpu-buffer') t.dispose(); // no GPU buffer outlives a failed run
        throw failed.reason;
      }
      const entries = settled.map((s) => (s as PromiseFulfilledResult<[string, Tensor]>).value);
      return Object.fromEntries(entries);
    });
  }

  release(): Promise<void> {
    return this.#session.release();
  }
}
