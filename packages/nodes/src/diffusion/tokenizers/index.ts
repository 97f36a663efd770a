// Public API of the CLIP BPE tokenizer (pure TS: safe in Node, browsers and Web Workers).
export { ClipTokenizer } from './ClipTokenizer.js';
export type { ClipTokenizerFiles, DecodeOptions, WordTokens } from './ClipTokenizer.js';
export { clipTokenizerConfigSchema, resolveClipTokenizerConfig } from './ClipTokenizerConfig.js';
export type { ClipTokenizerConfig, ResolvedClipTokenizerConfig } from './ClipTokenizerConfig.js';
export { buildReducedClipVocab, START_OF_TEXT, END_OF_TEXT } from './buildReducedClipVocab.js';
export type { ReducedClipVocab } from './buildReducedClipVocab.js';
export { bytePairEncode, END_OF_WORD } from './bytePairEncode.js';
export { bytesToUnicode } from './bytesToUnicode.js';
