import { errorContext, type ApiError, type ApiErrorCode, type GraphError } from '@ptp/graph-core';

/**
 * What the library and the queue answer: a value, or an API error (code, message, node context).
 * Transport-neutral: HTTP routes map codes to statuses (server/httpErrors.ts), the socket sends
 * the error as it is.
 */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export function apiOk<T>(value: T): ApiResult<T> {
  return { ok: true, value };
}

export function apiFail(
  code: ApiErrorCode | GraphError['code'],
  message: string,
  extra: Omit<ApiError, 'code' | 'message'> = {},
): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message, ...extra } };
}

/** A document or graph refused: the first problem up front (with its node and input), all of them in `errors`. */
export function graphFailure(
  code: ApiErrorCode | GraphError['code'],
  errors: GraphError[],
): { ok: false; error: ApiError } {
  const first = errors[0];
  return apiFail(
    code,
    first
      ? `${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`
      : 'invalid',
    { ...errorContext(first), errors },
  );
}
