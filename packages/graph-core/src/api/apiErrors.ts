import { z } from 'zod';
import { GraphErrorSchema } from '../errors.js';

/**
 * Codes the server answers with besides the graph codes of `errors.ts` (which pass through
 * unchanged when a document or a run fails). Clients switch on codes, never on messages; the
 * schema accepts any string so an older client still reads a newer server's errors.
 */
export const API_ERROR_CODES = [
  'BAD_REQUEST',
  'NOT_FOUND',
  'UNKNOWN_RUN',
  'UNKNOWN_WORKFLOW',
  'UNKNOWN_UPLOAD',
  'UNKNOWN_OUTPUT',
  'UNAUTHORIZED',
  'FORBIDDEN_ORIGIN',
  'FORBIDDEN_HOST',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_IMAGE',
  'INVALID_JSON',
  'DECOMPRESSION_LIMIT',
  'TOO_DEEP',
  'TOO_MANY_ATTEMPTS',
  'RUN_TIMEOUT',
  'MEMORY_LIMIT',
  'LIMIT_EXCEEDED',
  'VALIDATION_FAILED',
  'CONFLICT',
  'NOT_CANCELLABLE',
  'NOT_RESUBMITTABLE',
  'NOT_DELETABLE',
  'NOT_REMOVABLE',
  'PACK_EXISTS',
  'UNKNOWN_PACK',
  'UNKNOWN_EXPORT',
  'UNKNOWN_IMPORT',
  'UNKNOWN_BOARD',
  'UNKNOWN_BATCH',
  'QUEUE_FULL',
  'LIBRARY_FULL',
  'WORKER_CRASHED',
  'INTERNAL',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const ApiErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  nodeId: z.string().optional(),
  input: z.string().optional(),
  param: z.string().optional(),
  /** Every problem, when a document or graph was refused (validation returns them all at once). */
  errors: z.array(GraphErrorSchema).optional(),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;

/** The body of every non-2xx API answer: `{ error: { code, message, nodeId?, input? } }`. */
export const ApiErrorBodySchema = z.object({ error: ApiErrorSchema });
export type ApiErrorBody = z.infer<typeof ApiErrorBodySchema>;
