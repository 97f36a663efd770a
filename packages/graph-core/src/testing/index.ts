export * from './testRegistry.js';
export * from './documentBuilder.js';
