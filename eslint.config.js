import tseslint from 'typescript-eslint';

const nodeBuiltins = { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto'], message: 'runtime-specific code lives in runner or ui' };
const uiLibs = { group: ['react', 'react-dom', '@xyflow/*'], message: 'React belongs to packages/ui only' };
const ort = { group: ['onnxruntime-*'], message: 'only runner backend modules import onnxruntime' };

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'models/**', 'bench/out/**', 'packages/ui/dist/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // Architectural boundaries (BRIEF section 1): enforced, not just documented.
  { files: ['packages/graph-core/**/*.ts', 'packages/nodes/**/*.ts'], ignores: ['**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [nodeBuiltins, uiLibs, ort] }] } },
  { files: ['packages/runner/**/*.ts'], ignores: ['packages/runner/src/backends/**', '**/*.test.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [uiLibs, ort] }] } },
);
