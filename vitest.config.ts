import { defineConfig } from 'vitest/config';

// One vitest run covers every package: each package (and test/) is a project,
// so `pnpm test` runs them all and a failure anywhere fails the run.

/**
 * The packages' unit tests share one process per project (`isolate: false`): importing a package
 * afresh for each of ~170 files cost about 90 s of a run on a 2-core machine, and these tests
 * restore what they change (env, timers). The cross-package and browser tests (e2e) keep a
 * process per file: they start servers, browsers and workers.
 */
const shared = { isolate: false } as const;

export default defineConfig({
  test: {
    projects: [
      // CPU-bound tests that take a second or so on an idle machine (a block flattened to ~50,000
      // links, 32 MiB inflated) can run past the 5 s default on a loaded 2-core CI machine; a hang
      // still fails, after 30 s.
      {
        test: {
          name: 'graph-core',
          root: 'packages/graph-core',
          include: ['src/**/*.test.ts'],
          testTimeout: 30_000,
          ...shared,
        },
      },
      {
        test: { name: 'nodes', root: 'packages/nodes', include: ['src/**/*.test.ts'], testTimeout: 30_000, ...shared },
      },
      {
        test: {
          name: 'runner',
          root: 'packages/runner',
          include: ['src/**/*.test.ts'],
          testTimeout: 120_000,
          ...shared,
          // Polls wait on real processes (Redis, workers): a loaded CI machine gets time, a bug still fails.
          expect: { poll: { timeout: 10_000 } },
        },
      },
      // The editor's pure logic (no DOM); its components are tested in the browser by test/editor*.test.ts.
      { test: { name: 'ui', root: 'packages/ui', include: ['src/**/*.test.ts'], ...shared } },
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
