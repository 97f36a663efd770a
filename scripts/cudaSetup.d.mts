// Types for scripts/cudaSetup.mjs (a plain Node script bootstrap.sh runs before anything is built).
export declare const CUDA_PROVIDER_LIB: string;
export declare const ORT_CUDA_MANIFEST: string;
export declare const CUDA_SWITCH: string;
export type CudaPlan =
  | { action: 'off' }
  | { action: 'present' }
  | { action: 'install'; env: Record<string, string> }
  | { action: 'refuse'; code: 'CUDA_SWITCH_INVALID' | 'CUDA_UNSUPPORTED_PLATFORM'; message: string };
export declare function planCudaInstall(input: {
  env: Record<string, string | undefined>;
  args: readonly string[];
  platform: string;
  arch: string;
  installed: boolean;
}): CudaPlan;
export declare function explainInstallFailure(output: string, status: number | null): string;
export declare function main(argv?: string[], env?: Record<string, string | undefined>): number;
