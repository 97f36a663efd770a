import type { ApiError, ApiErrorCode, GraphError } from '@ptp/graph-core';

/** What the library and the queue answer: a value, or an API error with its HTTP status. */
export type ApiResult<T> = { ok: true; value: T } | { ok: false; status: number; error: ApiError };

export function apiOk<T>(value: T): ApiResult<T> {
  return { ok: true, value };
}

export function apiFail(status: number, code: ApiErrorCode | GraphError['code'], message: string, extra: Omit<ApiError, 'code' | 'message'> = {}): { ok: false; status: number; error: ApiError } {
  return { ok: false, status, error: { code, message, ...extra } };
}

/** A document or graph refused: the first problem up front (with its node and input), all of them in `errors`. */
export function graphFailure(status: number, code: ApiErrorCode | GraphError['code'], errors: GraphError[]): { ok: false; status: number; error: ApiError } {
  const first = errors[0];
  return apiFail(status, code, first ? `${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}` : 'invalid', {
    ...(first?.nodeId !== undefined ? { nodeId: first.nodeId } : {}),
    ...(first?.input !== undefined ? { input: first.input } : {}),
    ...(first?.param !== undefined ? { param: first.param } : {}),
    errors,
  });
}
