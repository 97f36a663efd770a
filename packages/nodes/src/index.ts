export * from './values.js';
export * from './allNodes.js';
export * from './prompt/promptNode.js';
export * from './prompt/splitWords.js';
export * from './schedule/injectionScheduleNode.js';
export * from './schedule/windowSchema.js';
export * from './blend/blendNode.js';
export * from './util/showValueNode.js';
