import { describe, expect, it } from 'vitest';
import type { TensorData, TensorType } from '../../runtime/InferenceBackend.js';
import { OrtSession, SerialQueue, type OrtLikeSession, type OrtLikeTensor } from './OrtSession.js';

// A stand-in for onnxruntime-common's Tensor and InferenceSession: what both backends hand the adapter.
class FakeTensor implements OrtLikeTensor {
  disposed = false;
  constructor(
    readonly type: string,
    readonly data: unknown,
    readonly dims: readonly number[],
    readonly location = 'cpu',
  ) {}
  async getData(): Promise<unknown> {
    if (this.location === 'cpu') return this.data;
    if (this.data === 'fail') throw new Error('download failed');
    return new Float32Array([7, 8]);
  }
  dispose(): void {
    this.disposed = true;
  }
}

const makeTensor = (type: TensorType, data: TensorData, dims: readonly number[]) => new FakeTensor(type, data, dims);

function fakeSession(outputs: (feeds: Record<string, FakeTensor>) => Record<string, FakeTensor>) {
  const calls: { feeds: Record<string, FakeTensor>; fetches?: string[] }[] = [];
  const session: OrtLikeSession<FakeTensor> & { calls: typeof calls; released: boolean } = {
    calls,
    released: false,
    inputNames: ['sample', 'timestep', 'mask'],
    outputNames: ['out', 'attn'],
    inputMetadata: [
      { name: 'sample', isTensor: true, type: 'float32', shape: [1, 4, 'h', 'w'] },
      { name: 'timestep', isTensor: true, type: 'int64', shape: [1] },
      { name: 'mask', isTensor: true, type: 'bool', shape: [1] },
      { name: 'seq', isTensor: false },
    ],
    async run(feeds: Record<string, FakeTensor>, fetches?: string[]) {
      calls.push(fetches ? { feeds, fetches } : { feeds });
      return outputs(feeds);
    },
    async release() {
      session.released = true;
    },
  };
  return session;
}

describe('OrtSession', () => {
  it('exposes names and the metadata of tensor inputs of supported types', () => {
    const s = new OrtSession(
      fakeSession(() => ({})),
      makeTensor,
    );
    expect(s.inputNames).toEqual(['sample', 'timestep', 'mask']);
    expect(s.outputNames).toEqual(['out', 'attn']);
    expect(s.inputMeta('sample')).toEqual({ type: 'float32', dims: [1, 4, 'h', 'w'] });
    expect(s.inputMeta('timestep')).toEqual({ type: 'int64', dims: [1] });
    expect(s.inputMeta('mask')).toBeUndefined();
    expect(s.inputMeta('seq')).toBeUndefined();
  });

  it('feeds runtime tensors and returns plain ones, CPU data as it is', async () => {
    const out = new Float32Array([1, 2, 3]);
    const raw = fakeSession(() => ({ out: new FakeTensor('float32', out, [1, 3]) }));
    const s = new OrtSession(raw, makeTensor);
    const sample = new Float32Array(4);
    const result = await s.run({ sample: { type: 'float32', dims: [1, 4], data: sample } }, ['out']);
    expect(raw.calls[0]?.feeds.sample).toMatchObject({ type: 'float32', dims: [1, 4], data: sample });
    expect(raw.calls[0]?.fetches).toEqual(['out']);
    expect(result).toEqual({ out: { type: 'float32', dims: [1, 3], data: out } });
    expect(result.out?.data).toBe(out);
    await s.run({});
    expect(raw.calls[1]).toEqual({ feeds: {} }); // no fetches: every output
  });

  it('downloads GPU outputs', async () => {
    const s = new OrtSession(
      fakeSession(() => ({ attn: new FakeTensor('float32', undefined, [2], 'gpu-buffer') })),
      makeTensor,
    );
    expect((await s.run({})).attn?.data).toEqual(new Float32Array([7, 8]));
  });

  it('refuses an unsupported output type and frees every GPU output of a failed run', async () => {
    const gpu = new FakeTensor('float32', undefined, [2], 'gpu-buffer');
    const s = new OrtSession(
      fakeSession(() => ({ attn: gpu, out: new FakeTensor('float16', new Uint16Array(1), [1]) })),
      makeTensor,
    );
    await expect(s.run({})).rejects.toThrow('output out has unsupported type float16');
    expect(gpu.disposed).toBe(true);
    const failing = new FakeTensor('float32', 'fail', [2], 'gpu-buffer');
    await expect(
      new OrtSession(
        fakeSession(() => ({ attn: failing })),
        makeTensor,
      ).run({}),
    ).rejects.toThrow('download failed');
    expect(failing.disposed).toBe(true);
  });

  it('runs one at a time through a shared queue', async () => {
    const queue = new SerialQueue();
    let active = 0;
    let most = 0;
    const slow = () => {
      const raw = fakeSession(() => ({}));
      const run = raw.run;
      raw.run = async (feeds: Record<string, FakeTensor>, fetches?: string[]) => {
        most = Math.max(most, ++active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        return run(feeds, fetches as string[]);
      };
      return new OrtSession(raw, makeTensor, { queue });
    };
    const [a, b] = [slow(), slow()];
    await Promise.all([a.run({}), b.run({}), a.run({})]);
    expect(most).toBe(1);
  });

  it('keeps the queue going after a failed run', async () => {
    const queue = new SerialQueue();
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'next')).toBe('next');
  });

  it('releases the runtime session', async () => {
    const raw = fakeSession(() => ({}));
    await new OrtSession(raw, makeTensor).release();
    expect(raw.released).toBe(true);
  });
});
