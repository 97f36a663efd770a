#!/usr/bin/env bash
# Builds bench/out/gpu-carry-node.tar.xz and bench/out/gpu-carry-rest.tar.xz (git-ignored): what
# bench/gpu/gpuBench.py needs on a GPU machine that has Python + PyTorch but no Node and no
# package registry, and prints each part's size. Two parts because the node binary alone is most
# of the budget: name both in one device run's carry when tree + parts fit the device's limit,
# else carry them in two calls on the same warm machine (bench/gpu/README.md).
#
#   bash bench/gpu/makeCarry.sh
#
# Parts: this machine's node binary (an official build: needs only glibc and libstdc++), stripped;
# onnxruntime-node (linux/x64 binaries only: CPU and WebGPU providers; the CUDA provider is not
# installed here) with onnxruntime-common; the studio's bench entry bundled by esbuild (graph-core,
# nodes, runner, protobufjs, zod) with onnxruntime-node left external; the Vulkan loader
# (libvulkan.so.1) and glvnd's libGLdispatch.so.0, for machines that have the NVIDIA driver's ICD
# but no loader; and a copy of the original P2P code from ../shared/reference-code, used there at
# run time only (it is never part of the project: bench/out/ is ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
OUT=bench/out/gpu-carry
REF=${PTP_REFERENCE_CODE:-$ROOT/../shared/reference-code}
rm -rf "$OUT" && mkdir -p "$OUT/lib" "$OUT/node_modules" "$OUT/reference"

cp "$(readlink -f "$(command -v node)")" "$OUT/node"
strip --strip-unneeded "$OUT/node" 2>/dev/null || echo "makeCarry: strip unavailable, node kept with its symbols"

ORT=$(cd "$ROOT/packages/runner" && node -p "require('path').dirname(require.resolve('onnxruntime-node/package.json'))")
# onnxruntime-common exports no ./package.json: find its folder from onnxruntime-node's pnpm folder.
COMMON=$(readlink -f "$ORT/../onnxruntime-common")
mkdir -p "$OUT/node_modules/onnxruntime-node/bin/napi-v6/linux"
cp -r "$ORT/package.json" "$ORT/dist" "$OUT/node_modules/onnxruntime-node/"
[ -d "$ORT/lib" ] && cp -r "$ORT/lib" "$OUT/node_modules/onnxruntime-node/"
cp -r "$ORT/bin/napi-v6/linux/x64" "$OUT/node_modules/onnxruntime-node/bin/napi-v6/linux/"
cp -r "$COMMON" "$OUT/node_modules/onnxruntime-common"

npx esbuild bench/gpu/studioBench.ts --bundle --platform=node --format=esm --target=node20.19 \
  --external:onnxruntime-node --legal-comments=none --log-level=warning \
  "--banner:js=import { createRequire as __ptpCreateRequire } from 'node:module'; const require = __ptpCreateRequire(import.meta.url);" \
  --outfile="$OUT/studioBench.mjs"

cp -L "$(ldconfig -p | awk '/libvulkan.so.1 .*x86-64/ {print $NF; exit}')" "$OUT/lib/libvulkan.so.1"
# NVIDIA's Vulkan ICD (libGLX_nvidia) needs glvnd's dispatcher, which a compute-only image may lack.
GLD=$(ldconfig -p | awk '/libGLdispatch.so.0 .*x86-64/ {print $NF; exit}')
[ -n "$GLD" ] && cp -L "$GLD" "$OUT/lib/libGLdispatch.so.0"
cp -r "$REF/original-p2p" "$REF/diffusers-schedulers" "$OUT/reference/"
find "$OUT/reference" -name __pycache__ -prune -exec rm -rf {} +

# -9e: a smaller carry is worth a minute here.
tar -C "$OUT" -cf - node | xz -9e -T2 > bench/out/gpu-carry-node.tar.xz
tar -C "$OUT" -cf - --exclude=./node . | xz -9e -T2 > bench/out/gpu-carry-rest.tar.xz
echo "makeCarry: parts (bytes, uncompressed):"
du -sb "$OUT/node" "$OUT/node_modules/onnxruntime-node" "$OUT/node_modules/onnxruntime-common" \
  "$OUT/studioBench.mjs" "$OUT/lib" "$OUT/reference" | sed 's/^/  /'
NODE_XZ=$(stat -c %s bench/out/gpu-carry-node.tar.xz)
REST_XZ=$(stat -c %s bench/out/gpu-carry-rest.tar.xz)
TREE=$(git ls-files -z | xargs -0 stat -c %s | awk '{s+=$1} END {print s}')
echo "makeCarry: bench/out/gpu-carry-node.tar.xz $NODE_XZ bytes, bench/out/gpu-carry-rest.tar.xz $REST_XZ bytes"
echo "makeCarry: tracked working tree $TREE bytes; tree + both parts $((TREE + NODE_XZ + REST_XZ)) bytes; device limit 67108864"
