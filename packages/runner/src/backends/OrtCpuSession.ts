import * as ort from 'onnxruntime-node';
import { fromHalfBits, toHalfBits } from './halfFloat.js';

/** A float32 tensor as plain data, so callers outside backends/ never touch onnxruntime types. */
export interface F32Tensor {
  data: Float32Array;
  dims: number[];
}

/**
 * Minimal onnxruntime-node CPU session over float32 tensors: used by the patcher's checks and
 * tests to compare models numerically. (Real pipelines use the full backend.)
 */
export class OrtCpuSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** Loads from a path (external data resolves next to it) or from bytes. */
  static async create(model: string | Uint8Array): Promise<OrtCpuSession> {
    const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], logSeverityLevel: 3 };
    const session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, options)
        : await ort.InferenceSession.create(model, options);
    return new OrtCpuSession(session);
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Runs with float32 data; float16 model inputs/outputs are converted on the way. */
  async run(feeds: Record<string, F32Tensor>, outputs?: readonly string[]): Promise<Record<string, F32Tensor>> {
    const half = new Set(
      this.session.inputMetadata.filter((m) => m.isTensor && m.type === 'float16').map((m) => m.name),
    );
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      ortFeeds[name] = half.has(name)
        ? new ort.Tensor('float16', toHalfBits(t.data), t.dims)
        : new ort.Tensor('float32', t.data, t.dims);
    }
    const result = outputs ? await this.session.run(ortFeeds, [...outputs]) : await this.session.run(ortFeeds);
    const out: Record<string, F32Tensor> = {};
    for (const [name, t] of Object.entries(result)) {
      if (t.type === 'float32') out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      else if (t.type === 'float16') out[name] = { data: fromHalfBits(t.data as Uint16Array), dims: [...t.dims] };
      else throw new Error(`output ${name} is ${t.type}, expected float32 or float16`);
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
