#!/usr/bin/env bash
# The project's test command (README): sets up what is missing, lints, type-checks and runs every
# package's tests (unit, cross-package and browser) in one vitest run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --browser --redis
# Chromium's SwiftShader Vulkan driver lets onnxruntime's WebGPU provider run without a GPU.
export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json}"
pnpm lint
mkdir -p .vitest
status=0
pnpm exec vitest run --reporter=default --reporter=json --outputFile.json=.vitest/results.json "$@" || status=$?
# One plain closing line that any CI reader understands.
node -e 'const r=require("./.vitest/results.json");console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests+r.numTodoTests} skipped`)' || true
exit $status
