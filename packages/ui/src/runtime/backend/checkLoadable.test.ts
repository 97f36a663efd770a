import { describe, expect, it } from 'vitest';
import { checkLoadable, WASM_WEIGHT_LIMIT } from './checkLoadable';
import type { OnnxModelScan } from './scanOnnxModel';

const fp16: OnnxModelScan = {
  initializers: 796,
  float16Initializers: 796,
  externalBytes: 1_721_000_000,
  externalFiles: ['model.onnx_data'],
};
const fp32: OnnxModelScan = { ...fp16, float16Initializers: 0, externalBytes: 3_437_856_000 };

describe('checkLoadable', () => {
  it('refuses float16 weights on a WebGPU adapter without shader-f16, naming the adapter', () => {
    expect(() =>
      checkLoadable(
        { provider: 'webgpu', adapter: 'SwiftShader (google)', shaderF16: false },
        'p/unet/model.onnx',
        2e6,
        fp16,
      ),
    ).toThrow(
      /^FP16_UNSUPPORTED: p\/unet\/model.onnx has float16 weights.*adapter \(SwiftShader \(google\)\) lacks the shader-f16/,
    );
    expect(() => checkLoadable({ provider: 'webgpu', shaderF16: true }, 'f', 2e6, fp16)).not.toThrow();
  });

  it('lets WebGPU load external data beyond the wasm heap, and refuses it on wasm', () => {
    expect(() => checkLoadable({ provider: 'webgpu', shaderF16: false }, 'f', 2e6, fp32)).not.toThrow();
    expect(() => checkLoadable({ provider: 'wasm' }, 'f', 2e6, fp32)).toThrow(/^WASM_MEMORY_LIMIT: f holds 3\.20 GiB/);
    expect(() =>
      checkLoadable({ provider: 'wasm' }, 'f', WASM_WEIGHT_LIMIT, { ...fp32, externalBytes: 0 }),
    ).not.toThrow();
  });

  it('the error carries its code and file', () => {
    try {
      checkLoadable({ provider: 'wasm' }, 'pack/unet/model.onnx', 1, fp32);
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ name: 'WebBackendError', code: 'WASM_MEMORY_LIMIT', file: 'pack/unet/model.onnx' });
    }
  });
});
