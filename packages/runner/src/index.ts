export * from './backends/providers.js';
export * from './packs/PackStore.js';
export * from './packs/readPack.js';
