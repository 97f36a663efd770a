/** Codes callers switch on (CLI, server); the message says what to do, in words. */
export const PACK_ERROR_CODES = [
  'BAD_ONNX',
  'FUSED_ATTENTION',
  'NO_ATTENTION_LAYERS',
  'UNRECOGNIZED_ATTENTION',
  'MISSING_TO_V',
  'UNKNOWN_BLOCK',
  'UNSUPPORTED_OPSET',
  'UNSUPPORTED_MODEL',
  'ALREADY_PATCHED',
  'EXTERNAL_DATA_ESCAPES',
  'EXTERNAL_DATA_MISSING',
  'PATH_ESCAPES',
  'MISSING_COMPONENT',
  'PACK_DIR_NOT_EMPTY',
  'BAD_MANIFEST',
  'IO_ERROR',
] as const;

export type PackErrorCode = (typeof PACK_ERROR_CODES)[number];

/** Structured error of the ONNX patcher and pack importer: `{ code, message, path? }`. */
export class PtpPackError extends Error {
  readonly code: PackErrorCode;
  readonly path: string | undefined;

  constructor(code: PackErrorCode, message: string, path?: string) {
    super(message);
    this.name = 'PtpPackError';
    this.code = code;
    this.path = path;
  }

  toJSON(): { code: PackErrorCode; message: string; path?: string } {
    return this.path === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, path: this.path };
  }
}
