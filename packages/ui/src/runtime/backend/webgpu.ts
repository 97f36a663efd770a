export const WEB_PROVIDERS = ['webgpu', 'wasm'] as const;
export type WebProvider = (typeof WEB_PROVIDERS)[number];

// The few WebGPU shapes used here (TypeScript's DOM lib has no WebGPU types).
interface GpuAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
}
interface GpuLike {
  requestAdapter(options?: {
    powerPreference?: 'high-performance' | 'low-power';
  }): Promise<{ info?: GpuAdapterInfoLike; features?: { has(name: string): boolean } } | null>;
}

/**
 * Whether this browser (page or worker) has a WebGPU adapter, and which. `shaderF16`: the adapter
 * offers the `shader-f16` feature, without which onnxruntime-web has no float16 GPU kernels
 * (SwiftShader lacks it; most desktop GPUs in Chrome have it).
 */
export async function detectWebGpu(): Promise<
  { ok: true; adapter: string; shaderF16: boolean } | { ok: false; reason: string }
> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu)
    return {
      ok: false,
      reason: 'navigator.gpu is missing (the browser has no WebGPU, or the page is not a secure context)',
    };
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter)
      return { ok: false, reason: 'navigator.gpu.requestAdapter() returned no adapter (no usable GPU driver)' };
    const info = adapter.info ?? {};
    const name = [info.description || info.device || info.architecture, info.vendor && `(${info.vendor})`]
      .filter(Boolean)
      .join(' ');
    return { ok: true, adapter: name || 'unknown adapter', shaderF16: adapter.features?.has('shader-f16') ?? false };
  } catch (err) {
    return { ok: false, reason: `requestAdapter failed: ${(err as Error).message}` };
  }
}
