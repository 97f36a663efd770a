export * from './referenceCases.js';
export * from './caseWorkflow.js';
export * from './runParity.js';
