import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const PROVIDERS = ['cpu', 'webgpu', 'cuda'] as const;
export type Provider = (typeof PROVIDERS)[number];

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
/** The documented switch that installs onnxruntime-node's CUDA provider (scripts/cudaSetup.mjs). */
export const CUDA_SWITCH = 'bash scripts/bootstrap.sh --cuda (or PTP_CUDA=1 npm start)';

/** A provider that cannot start, with the missing piece named so the user can fix it. */
export class ProviderUnavailableError extends Error {
  constructor(
    readonly provider: Provider,
    message: string,
  ) {
    super(message);
    this.name = 'ProviderUnavailableError';
  }
}

function ortBinDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(
    path.dirname(require.resolve('onnxruntime-node/package.json')),
    'bin/napi-v6',
    process.platform,
    process.arch,
  );
}

/** A GPU device node exists (DRM render node or NVIDIA's). Mesa's CPU drivers don't count: Dawn skips them. */
function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidia0')) return true;
  try {
    return readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Checks what can be checked before creating a session; the session error itself is mapped below. */
export function preflight(provider: Provider): void {
  // Without a GPU, fall back to Chromium's software Vulkan driver when it is there, so
  // WebGPU runs out of the box on machines without a GPU (slowly). An explicit setting always wins.
  if (provider === 'webgpu' && !process.env.VK_ICD_FILENAMES && !hasGpuDevice() && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  if (provider === 'cuda' && !existsSync(path.join(ortBinDir(), 'libonnxruntime_providers_cuda.so'))) {
    throw new ProviderUnavailableError(
      'cuda',
      `the CUDA provider libraries are not installed (libonnxruntime_providers_cuda.so is missing next to onnxruntime-node; the normal setup skips that download). Install them with ${CUDA_SWITCH} on a machine with network access, CUDA 12 and cuDNN 9; or use --provider webgpu or cpu`,
    );
  }
}

/**
 * What to say before work on a provider that will be slow for a reason the user may not expect, or
 * undefined. Call after `preflight`, which picks SwiftShader when no GPU is found.
 */
export function slowProviderNotice(provider: Provider): string | undefined {
  if (provider !== 'webgpu' || process.env.VK_ICD_FILENAMES !== SWIFTSHADER_ICD) return undefined;
  // Measured here: examples/word-swap.json took 573 s on webgpu through SwiftShader, 2.7 s on cpu.
  return 'webgpu: no GPU found, so it runs on SwiftShader (software Vulkan), a hundred times or more slower than --provider cpu (minutes per picture); it checks the WebGPU path, --provider cpu is the fast one without a GPU';
}

/** Turns onnxruntime's session-creation failures into errors that name the missing piece. */
export function explainProviderError(provider: Provider, err: unknown): Error {
  const message = (err as Error).message ?? String(err);
  if (provider === 'webgpu' && /adapter|vulkan|dawn/i.test(message)) {
    const icd = process.env.VK_ICD_FILENAMES;
    return new ProviderUnavailableError(
      'webgpu',
      `the WebGPU provider found no GPU adapter (Dawn on Vulkan). Install Debian's libvulkan1 and a Vulkan driver; without a GPU use Chromium's SwiftShader: apt-get install chromium libvulkan1 and set VK_ICD_FILENAMES=${SWIFTSHADER_ICD}` +
        (icd
          ? ` (VK_ICD_FILENAMES is ${icd}${existsSync(icd) ? '' : ', which does not exist'})`
          : ' (VK_ICD_FILENAMES is not set)'),
    );
  }
  if (provider === 'cuda' && /cuda|cudnn|shared library/i.test(message)) {
    return new ProviderUnavailableError(
      'cuda',
      `the CUDA provider could not start: ${message.split('\n')[0]}. It needs an NVIDIA GPU and CUDA 12 and cuDNN 9 libraries on the library path (the provider itself: ${CUDA_SWITCH})`,
    );
  }
  return err instanceof Error ? err : new Error(message);
}
