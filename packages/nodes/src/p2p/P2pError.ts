/** Why a Prompt-to-Prompt helper refused its input; `code` lets nodes map it to a user message. */
export type P2pErrorCode = 'WORD_COUNT_MISMATCH' | 'INVALID_WINDOW' | 'INVALID_ARGUMENT';

/** Error thrown by the pure P2P helpers in this folder (never by the tokenizer itself). */
export class P2pError extends Error {
  readonly code: P2pErrorCode;

  constructor(code: P2pErrorCode, message: string) {
    super(message);
    this.name = 'P2pError';
    this.code = code;
  }
}
