import tseslint from 'typescript-eslint';

const nodeBuiltins = {
  group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto'],
  message: 'runtime-specific code lives in runner or ui',
};
const uiLibs = { group: ['react', 'react-dom', '@xyflow/*'], message: 'React belongs to packages/ui only' };
const ort = {
  group: ['onnxruntime-*'],
  message: 'only backend modules (packages/runner/src/backends, packages/ui/src/runtime/backend) import onnxruntime',
};
const studioClient = {
  group: ['socket.io-client', '@ptp/graph-core/client', '**/client', '**/client/*'],
  message:
    'the engine and the nodes never use the studio client: only packages/graph-core/src/client speaks to a server',
};
const serverPackage = {
  group: ['@ptp/runner', '@ptp/runner/*'],
  message:
    'the editor needs no server package: the client and protocol live in @ptp/graph-core, the diffusion core in @ptp/nodes/diffusion',
};

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'models/**', 'bench/out/**', 'packages/ui/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Architectural boundaries (docs/architecture.md section 1): enforced, not just documented.
  // graph-core's studio client (src/client, `@ptp/graph-core/client`) runs in browsers and Node and
  // is the only graph-core code that may use socket.io-client; the engine never imports it.
  {
    files: ['packages/graph-core/**/*.ts', 'packages/nodes/**/*.ts'],
    ignores: ['packages/graph-core/src/client/**', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, uiLibs, ort, studioClient] }] },
  },
  {
    files: ['packages/graph-core/src/client/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, uiLibs, ort] }] },
  },
  {
    files: ['packages/runner/**/*.ts'],
    ignores: ['packages/runner/src/backends/**', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [uiLibs, ort] }] },
  },
  // The editor runs in the browser: no Node built-ins, no server package; onnxruntime-web only in
  // its backend module. vite.config.ts and scripts/ run in Node at build time.
  {
    files: ['packages/ui/**/*.{ts,tsx}'],
    ignores: [
      'packages/ui/src/runtime/backend/**',
      'packages/ui/vite.config.ts',
      'packages/ui/scripts/**',
      '**/*.test.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, ort, serverPackage] }] },
  },
  {
    files: ['packages/ui/src/runtime/backend/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            nodeBuiltins,
            serverPackage,
            { group: ['onnxruntime-node'], message: 'the browser backend uses onnxruntime-web' },
          ],
        },
      ],
    },
  },
);
