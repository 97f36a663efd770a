export * from './apiErrors.js';
export * from './apiLimits.js';
export * from './jsonLimits.js';
export * from './runs.js';
export * from './library.js';
export * from './uploads.js';
export * from './socketProtocol.js';
export * from './serverInfo.js';
