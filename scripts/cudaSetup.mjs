// Installs onnxruntime-node's CUDA provider (libonnxruntime_providers_cuda.so and friends) on
// request: `bash scripts/bootstrap.sh --cuda` or `PTP_CUDA=1 npm start`. The normal setup skips it
// (ONNXRUNTIME_NODE_INSTALL=skip): it is a download of several hundred MB from api.nuget.org that
// only machines with an NVIDIA GPU, CUDA 12 and cuDNN 9 can use.
//
//   node scripts/cudaSetup.mjs [--cuda] [--force]     (bootstrap.sh runs it; exit 0 = nothing to do or installed)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The file whose presence means the CUDA provider is installed (what `--provider cuda` checks). */
export const CUDA_PROVIDER_LIB = 'libonnxruntime_providers_cuda.so';
/** onnxruntime-node 1.30's only CUDA install manifest (linux/x64); its install script takes it as ONNXRUNTIME_NODE_INSTALL. */
export const ORT_CUDA_MANIFEST = 'cuda12';
/** What to tell a user to run. */
export const CUDA_SWITCH = 'bash scripts/bootstrap.sh --cuda (or PTP_CUDA=1 npm start)';

const ON = new Set(['1', 'true', 'yes', 'on']);
const OFF = new Set(['', '0', 'false', 'no', 'off']);

/**
 * What the setup does about the CUDA provider, from the environment and arguments alone (no I/O).
 * @param {{ env: Record<string, string | undefined>, args: readonly string[], platform: string, arch: string, installed: boolean }} input
 * @returns {{ action: 'off' } | { action: 'present' } | { action: 'install', env: Record<string, string> }
 *   | { action: 'refuse', code: 'CUDA_SWITCH_INVALID' | 'CUDA_UNSUPPORTED_PLATFORM', message: string }}
 */
export function planCudaInstall({ env, args, platform, arch, installed }) {
  const raw = (env.PTP_CUDA ?? '').trim().toLowerCase();
  if (!ON.has(raw) && !OFF.has(raw))
    return {
      action: 'refuse',
      code: 'CUDA_SWITCH_INVALID',
      message: `PTP_CUDA=${env.PTP_CUDA} is not understood: use PTP_CUDA=1 to install the CUDA provider, PTP_CUDA=0 (or unset) to skip it`,
    };
  if (!ON.has(raw) && !args.includes('--cuda')) return { action: 'off' };
  if (`${platform}/${arch}` !== 'linux/x64')
    return {
      action: 'refuse',
      code: 'CUDA_UNSUPPORTED_PLATFORM',
      message: `onnxruntime-node ships a CUDA provider for linux/x64 only (this is ${platform}/${arch}); use --provider webgpu (any GPU with Vulkan, Metal or D3D12) or cpu`,
    };
  if (installed && !args.includes('--force')) return { action: 'present' };
  // The install script skips on ONNXRUNTIME_NODE_INSTALL=skip (what the normal setup exports) and
  // installs exactly the named manifest when given one; npm_config_* would override neither way.
  return {
    action: 'install',
    env: {
      ONNXRUNTIME_NODE_INSTALL: ORT_CUDA_MANIFEST,
      ONNXRUNTIME_NODE_INSTALL_CUDA: '',
      npm_config_onnxruntime_node_install: '',
    },
  };
}

/**
 * The user-facing message for a failed download: what happened, and how to fix it.
 * @param {string} output the install script's stderr + stdout
 * @param {number | null} status its exit status
 */
export function explainInstallFailure(output, status) {
  const lines = output.split('\n').map((l) => l.trim());
  const error = lines.find((l) =>
    /^(Error|RangeError|TypeError):|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|HTTP status/.test(l),
  );
  const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|getaddrinfo/.test(output);
  return [
    `cuda: CUDA_DOWNLOAD_FAILED: onnxruntime-node's installer could not fetch the CUDA provider (NuGet package Microsoft.ML.OnnxRuntime.Gpu.Linux from api.nuget.org): ${error ?? `exit status ${status}`}.`,
    offline
      ? 'cuda: this machine cannot reach api.nuget.org (no network, or a proxy is needed: set GLOBAL_AGENT_HTTPS_PROXY=http://proxy:port, which the installer honours).'
      : 'cuda: the download or unpacking failed; see the installer output above.',
    'cuda: nothing was changed: the studio still runs on --provider cpu and webgpu.',
    `cuda: to fix: on a machine with network access run ${CUDA_SWITCH} again; --provider cuda also needs CUDA 12 and cuDNN 9 libraries on the library path (nvidia-smi must see a GPU).`,
  ].join('\n');
}

function ortPackageDir(root) {
  const require = createRequire(path.join(root, 'packages/runner/package.json'));
  return path.dirname(require.resolve('onnxruntime-node/package.json'));
}

/** Runs the plan: exit status 0 when there is nothing to do or the provider is installed, else 1 (message printed). */
export function main(argv = process.argv.slice(2), env = process.env) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const ortDir = ortPackageDir(root);
  const binDir = path.join(ortDir, 'bin/napi-v6', process.platform, process.arch);
  const plan = planCudaInstall({
    env,
    args: argv,
    platform: process.platform,
    arch: process.arch,
    installed: existsSync(path.join(binDir, CUDA_PROVIDER_LIB)),
  });
  if (plan.action === 'off') return 0;
  if (plan.action === 'present') {
    console.log(`cuda: the CUDA provider is installed (${path.join(binDir, CUDA_PROVIDER_LIB)}); --force reinstalls`);
    return 0;
  }
  if (plan.action === 'refuse') {
    console.error(`cuda: ${plan.code}: ${plan.message}`);
    return 1;
  }
  console.log(
    `cuda: installing onnxruntime-node's CUDA provider (ONNXRUNTIME_NODE_INSTALL=${ORT_CUDA_MANIFEST}) into ${binDir}`,
  );
  const run = spawnSync(process.execPath, [path.join(ortDir, 'script/install.js')], {
    cwd: ortDir,
    env: { ...env, ...plan.env },
    encoding: 'utf8',
    timeout: 15 * 60_000,
  });
  const output = `${run.stderr ?? ''}\n${run.stdout ?? ''}`;
  if (run.status !== 0 || !existsSync(path.join(binDir, CUDA_PROVIDER_LIB))) {
    if (output.trim()) console.error(output.trim().split('\n').slice(-12).join('\n'));
    console.error(explainInstallFailure(output, run.status));
    return 1;
  }
  console.log(
    `cuda: installed; use it with --provider cuda (e.g. pnpm ptp run examples/word-swap.json --provider cuda --out out/swap-cuda)`,
  );
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main());
