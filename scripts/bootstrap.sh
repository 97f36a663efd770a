#!/usr/bin/env bash
# Installs whatever the studio or its tests need and is missing, then returns quickly when
# everything is already there. Works on a fresh machine with only Node 20, npm and apt.
#   scripts/bootstrap.sh            pnpm + node dependencies
#   scripts/bootstrap.sh --browser  also Debian's chromium and libvulkan1 (browser and WebGPU tests)
#   scripts/bootstrap.sh --redis    also Debian's redis-server (scale-out tests and bench); flags combine
#   scripts/bootstrap.sh --cuda     also onnxruntime-node's CUDA provider (download from api.nuget.org;
#                                   PTP_CUDA=1 does the same, e.g. PTP_CUDA=1 npm start); see scripts/cudaSetup.mjs
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
# onnxruntime-node's installer would fetch CUDA libraries (hundreds of MB, useful only with an NVIDIA
# GPU) from api.nuget.org; its CPU and WebGPU providers ship inside the npm package itself. The CUDA
# provider is installed only on request (--cuda / PTP_CUDA=1), last, by scripts/cudaSetup.mjs.
export ONNXRUNTIME_NODE_INSTALL=skip

browser=0
redis=0
cuda_args=()
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --redis) redis=1 ;;
    --cuda | --force) cuda_args+=("$arg") ;;
  esac
done
missing=()
if ((browser)); then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  dpkg -s libvulkan1 >/dev/null 2>&1 || missing+=(libvulkan1)
fi
# The scale-out tests and bench start their own redis-server (never the system service).
if ((redis)); then
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
fi
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  [[ "$(id -u)" == 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version)" != "$PNPM_VERSION" ]]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION"
  npm install -g --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
fi

# Install dependencies when they are missing or older than the lockfile.
if [[ ! -f node_modules/.modules.yaml || pnpm-lock.yaml -nt node_modules/.modules.yaml ]]; then
  echo "bootstrap: installing dependencies"
  pnpm install --frozen-lockfile --reporter=append-only
fi

# The built CLI, server and worker (packages/runner/dist, plain node): rebuilt only when a source changed.
node scripts/build-cli.mjs

# The CUDA provider, only when asked for (--cuda or PTP_CUDA=1); everything above is already set up,
# so a failed download (no network) leaves a working studio and says how to fix it.
node scripts/cudaSetup.mjs ${cuda_args[@]+"${cuda_args[@]}"}
