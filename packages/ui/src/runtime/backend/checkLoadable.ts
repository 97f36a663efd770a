import type { OnnxModelScan } from './scanOnnxModel';
import type { WebProvider } from './webgpu';

/** The provider a session will run on (OrtWebBackend's ResolvedProvider, the parts read here). */
export interface LoadTarget {
  provider: WebProvider;
  adapter?: string;
  shaderF16?: boolean;
}

/** A model this browser backend refuses before loading it, with a code clients can switch on. */
export class WebBackendError extends Error {
  constructor(
    readonly code: 'FP16_UNSUPPORTED' | 'WASM_MEMORY_LIMIT',
    readonly file: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'WebBackendError';
  }
}

/**
 * Weights a wasm session may hold: wasm32 addresses 4 GiB in all, and onnxruntime copies every
 * initializer (external data included) into that heap on the wasm provider. On WebGPU, external
 * data goes from its fetched buffer straight to GPU buffers and does not count.
 */
export const WASM_WEIGHT_LIMIT = 3 * 2 ** 30;

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** Refuses what cannot load here, before gigabytes are fetched: float16 without shader-f16, too much for wasm. */
export function checkLoadable(resolved: LoadTarget, file: string, modelBytes: number, scan: OnnxModelScan): void {
  if (resolved.provider === 'webgpu' && scan.float16Initializers > 0 && !resolved.shaderF16)
    throw new WebBackendError(
      'FP16_UNSUPPORTED',
      file,
      `${file} has float16 weights, but this WebGPU adapter (${resolved.adapter ?? 'unknown'}) lacks the shader-f16 feature that onnxruntime's WebGPU kernels need for float16. Use a float32 pack here, run on the server, or use a browser and GPU that offer shader-f16`,
    );
  const weights = modelBytes + scan.externalBytes;
  if (resolved.provider === 'wasm' && weights > WASM_WEIGHT_LIMIT)
    throw new WebBackendError(
      'WASM_MEMORY_LIMIT',
      file,
      `${file} holds ${gib(weights)} of weights; on wasm they must fit the 4 GiB wasm heap with everything else (limit ${gib(WASM_WEIGHT_LIMIT)}). Run it on WebGPU (external data goes straight to the GPU) or on the server`,
    );
}
