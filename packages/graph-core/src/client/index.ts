// The studio client for browsers and Node: no Node built-ins here (downloadRunOutputs.ts is Node-only).
export * from './StudioRest.js';
export * from './StudioClient.js';
