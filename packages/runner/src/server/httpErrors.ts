import type { ApiError, ApiErrorBody, ApiErrorCode } from '@ptp/graph-core';
import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { apiFail, apiOk, type ApiResult } from '../ApiResult.js';

export function sendError(res: Response, status: number, error: ApiError): void {
  if (res.headersSent) return;
  res.status(status).json({ error } satisfies ApiErrorBody);
}

/** The HTTP status of each API error code; graph codes (a refused document or graph) answer 400. */
const HTTP_STATUS: Partial<Record<ApiErrorCode, number>> = {
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  TOO_DEEP: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN_ORIGIN: 403,
  FORBIDDEN_HOST: 403,
  NOT_FOUND: 404,
  UNKNOWN_RUN: 404,
  UNKNOWN_WORKFLOW: 404,
  UNKNOWN_UPLOAD: 404,
  UNKNOWN_OUTPUT: 404,
  CONFLICT: 409,
  NOT_CANCELLABLE: 409,
  NOT_RESUBMITTABLE: 409,
  NOT_DELETABLE: 409,
  NOT_REMOVABLE: 409,
  PACK_EXISTS: 409,
  UNKNOWN_PACK: 404,
  UNKNOWN_EXPORT: 404,
  UNKNOWN_IMPORT: 404,
  UNKNOWN_BOARD: 404,
  UNKNOWN_BATCH: 404,
  PAYLOAD_TOO_LARGE: 413,
  DECOMPRESSION_LIMIT: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  VALIDATION_FAILED: 422,
  LIMIT_EXCEEDED: 422,
  TOO_MANY_ATTEMPTS: 429,
  INTERNAL: 500,
  QUEUE_FULL: 503,
  LIBRARY_FULL: 507,
};

export function httpStatusOf(code: string): number {
  return HTTP_STATUS[code as ApiErrorCode] ?? 400;
}

export function sendResult<T>(res: Response, result: ApiResult<T>, okStatus = 200): void {
  if (result.ok) res.status(okStatus).json(result.value);
  else sendError(res, httpStatusOf(result.error.code), result.error);
}

/** Parses request data with a wire schema; the answer names the first few bad fields. */
export function parseWith<S extends z.ZodType>(schema: S, data: unknown, what: string): ApiResult<z.infer<S>> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return apiOk(parsed.data);
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
  return apiFail('BAD_REQUEST', `invalid ${what}: ${issues.join('; ')}`);
}

/**
 * The last error handler: body-parser's errors (too large, malformed JSON, wrong charset) get
 * their structured answer; anything else is a 500 with no stack in the body.
 */
export function errorHandler(log: (message: string) => void) {
  return (err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction): void => {
    if (err.type === 'entity.too.large') {
      // Close rather than read the rest of an oversized body only to discard it.
      res.setHeader('Connection', 'close');
      return sendError(res, 413, {
        code: 'PAYLOAD_TOO_LARGE',
        message: `request body is over the limit (${(err as { limit?: number }).limit ?? '?'} bytes)`,
      });
    }
    if (err.type === 'entity.parse.failed')
      return sendError(res, 400, { code: 'BAD_REQUEST', message: `body is not valid JSON: ${err.message}` });
    if (err.status === 415) return sendError(res, 415, { code: 'UNSUPPORTED_MEDIA_TYPE', message: err.message });
    if (err.status && err.status >= 400 && err.status < 500)
      return sendError(res, err.status, { code: 'BAD_REQUEST', message: err.message });
    log(`internal error: ${err.stack ?? err.message}`);
    sendError(res, 500, { code: 'INTERNAL', message: 'internal server error' });
  };
}
