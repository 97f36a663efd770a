import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { bundledPacks } from './scripts/bundledPacks.ts';

// The studio is served as static files (by `ptp serve` or any file server): the bundled model
// packs travel inside dist/packs so the browser runtime fetches them from the same origin.
export default defineConfig({
  plugins: [react(), bundledPacks()],
  base: './',
  worker: { format: 'es' },
  // onnxruntime-web loads its .wasm/.mjs beside itself via import.meta.url; pre-bundling breaks that.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    outDir: 'dist',
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    // runtime-check.html: a bare page with the browser runtime (backend info; driven by test/ and bench/).
    rolldownOptions: {
      input: {
        main: fileURLToPath(new URL('index.html', import.meta.url)),
        runtimeCheck: fileURLToPath(new URL('runtime-check.html', import.meta.url)),
      },
    },
  },
});
