// Pure Prompt-to-Prompt control builders (mappers, alphas, windows, equalizers) over typed arrays.
export * from './P2pError.js';
export * from './stepWindow.js';
export * from './promptTokenIds.js';
export * from './wordTokenIndices.js';
export * from './alignTokens.js';
export * from './replaceMapper.js';
export * from './refineMapper.js';
export * from './crossAlphaWindows.js';
export * from './selfReplaceWindow.js';
export * from './equalizerVector.js';
