/** What the page's WebGPU adapter is: a software one (SwiftShader, llvmpipe) runs models far slower than WASM. */
export interface AdapterInfo {
  available: boolean;
  software: boolean;
  /** e.g. "google swiftshader" or "nvidia ampere". */
  name: string;
  /** The adapter offers `shader-f16`: without it onnxruntime-web cannot load float16 weights (tiny-scenes). */
  shaderF16: boolean;
}

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|software|basic render/i;

/** Asks for the WebGPU adapter the browser runner would get; never throws. */
export async function probeWebGpuAdapter(): Promise<AdapterInfo> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { available: false, software: false, name: 'no WebGPU', shaderF16: false };
  try {
    const adapter = (await gpu.requestAdapter()) as {
      isFallbackAdapter?: boolean;
      info?: { vendor?: string; architecture?: string; description?: string; device?: string };
      features?: { has(name: string): boolean };
    } | null;
    if (!adapter) return { available: false, software: false, name: 'no WebGPU adapter', shaderF16: false };
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ').trim() || 'unknown';
    return {
      available: true,
      software: Boolean(adapter.isFallbackAdapter) || SOFTWARE.test(name),
      name,
      shaderF16: adapter.features?.has('shader-f16') ?? false,
    };
  } catch {
    return { available: false, software: false, name: 'WebGPU failed', shaderF16: false };
  }
}
