#!/usr/bin/env bash
# Installs whatever the studio or its tests need and is missing, then returns quickly when
# everything is already there. Works on a fresh machine with only Node 20, npm and apt.
#   scripts/bootstrap.sh            pnpm + node dependencies
#   scripts/bootstrap.sh --browser  also Debian's chromium and libvulkan1 (browser and WebGPU tests)
#   scripts/bootstrap.sh --redis    also Debian's redis-server (scale-out tests and bench); flags combine
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=10.34.8
# onnxruntime-node's installer would fetch CUDA libraries from a host this network cannot reach;
# its CPU and WebGPU providers ship inside the npm package itself.
export ONNXRUNTIME_NODE_INSTALL=skip

browser=0
redis=0
for arg in "$@"; do
  case "$arg" in
    --browser) browser=1 ;;
    --redis) redis=1 ;;
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
