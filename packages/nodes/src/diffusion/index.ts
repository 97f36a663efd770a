// The diffusion core shared by every runtime (`@ptp/nodes/diffusion`): diffusers-compatible
// schedulers, the CLIP BPE tokenizer, the pack format (manifest schema, parsing over any file
// reader, model assembly) and the adapter from an onnxruntime session to `ModelSession`. Pure
// TypeScript with no `node:*` or `onnxruntime-*` imports: the runner's onnxruntime-node backend
// and the editor's onnxruntime-web backend both build on it.
export * from './schedulers/index.js';
export * from './tokenizers/index.js';
export * from './packs/ptpManifest.js';
export * from './packs/parsePack.js';
export * from './packs/assembleModelPack.js';
export * from './sessions/OrtSession.js';
export * from './cacheUntilRejected.js';
