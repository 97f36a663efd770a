import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto'], message: 'runtime-specific code lives in runner or ui' };
const uiLibs = { group: ['react', 'react-dom', '@xyflow/*'], message: 'React belongs to packages/ui only' };
const ort = { group: ['onnxruntime-*'], message: 'only backend modules (packages/runner/src/backends, packages/ui/src/runtime/backend) import onnxruntime' };

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
  { files: ['packages/graph-core/**/*.ts', 'packages/nodes/**/*.ts'], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, uiLibs, ort] }] } },
  { files: ['packages/runner/**/*.ts'], ignores: ['packages/runner/src/backends/**', '**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [uiLibs, ort] }] } },
  // The studio client runs in the editor too: Node-only code stays in downloadRunOutputs.ts.
  { files: ['packages/runner/src/client/**/*.ts'], ignores: ['packages/runner/src/client/downloadRunOutputs.ts', '**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, uiLibs, ort] }] } },
  // Shared with the browser runtime (packages/ui/src/runtime): must stay free of Node built-ins.
  { files: ['packages/runner/src/tokenizers/**/*.ts', 'packages/runner/src/schedulers/**/*.ts', 'packages/runner/src/packs/parsePack.ts', 'packages/runner/src/onnx/ptpManifest.ts'], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, uiLibs, ort] }] } },
  // The editor runs in the browser: no Node built-ins; onnxruntime-web only in its backend module.
  // vite.config.ts and scripts/ run in Node at build time.
  { files: ['packages/ui/**/*.{ts,tsx}'], ignores: ['packages/ui/src/runtime/backend/**', 'packages/ui/vite.config.ts', 'packages/ui/scripts/**', '**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, ort] }] } },
  { files: ['packages/ui/src/runtime/backend/**/*.ts'], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, { group: ['onnxruntime-node'], message: 'the browser backend uses onnxruntime-web' }] }] } },
);
