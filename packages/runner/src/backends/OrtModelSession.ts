import type { ModelSession, Tensor, TensorType } from '@ptp/nodes';
import * as ort from 'onnxruntime-node';

/** An onnxruntime-node session behind the runtime-neutral `ModelSession` interface. */
export class OrtModelSession implements ModelSession {
  readonly #session: ort.InferenceSession;
  readonly #meta = new Map<string, { type: TensorType; dims: readonly (number | string)[] }>();

  constructor(session: ort.InferenceSession) {
    this.#session = session;
    for (const m of session.inputMetadata) {
      if (m.isTensor && (m.type === 'float32' || m.type === 'int64' || m.type === 'int32')) this.#meta.set(m.name, { type: m.type, dims: m.shape });
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

  async run(feeds: Readonly<Record<string, Tensor>>, outputs?: readonly string[]): Promise<Record<string, Tensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
    const result = outputs ? await this.#session.run(ortFeeds, [...outputs]) : await this.#session.run(ortFeeds);
    const out: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(result)) {
      if (t.type !== 'float32' && t.type !== 'int64' && t.type !== 'int32') throw new Error(`output ${name} has unsupported type ${t.type}`);
      out[name] = { type: t.type, dims: [...t.dims], data: t.data as Tensor['data'] };
    }
    return out;
  }

  release(): Promise<void> {
    return this.#session.release();
  }
}
