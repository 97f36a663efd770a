import { defineConfig } from 'vitest/config';

// One vitest run covers every package: each package (and test/) is a project,
// so `pnpm test` runs them all and a failure anywhere fails the run.
export default defineConfig({
  test: {
    projects: [
      // CPU-bound tests that take a second or so on an idle machine (a block flattened to ~50,000
      // links, 32 MiB inflated) can run past the 5 s default on a loaded 2-core CI machine; a hang
      // still fails, after 30 s.
      {
        test: { name: 'graph-core', root: 'packages/graph-core', include: ['src/**/*.test.ts'], testTimeout: 30_000 },
      },
      { test: { name: 'nodes', root: 'packages/nodes', include: ['src/**/*.test.ts'], testTimeout: 30_000 } },
      {
        test: {
          name: 'runner',
          root: 'packages/runner',
          include: ['src/**/*.test.ts'],
          testTimeout: 120_000,
          // Polls wait on real processes (Redis, workers): a loaded CI machine gets time, a bug still fails.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      // The editor's pure logic (no DOM); its components are tested in the browser by test/editor*.test.ts.
      { test: { name: 'ui', root: 'packages/ui', include: ['src/**/*.test.ts'] } },
      {
        test: {
          name: 'e2e',
          root: 'test',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 300_000,
          expect: { poll: { timeout: 10_000 } },
          // onnxruntime's WebGPU provider runs on Chromium's SwiftShader Vulkan driver where no GPU is.
          env: { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json' },
        },
      },
    ],
  },
});
