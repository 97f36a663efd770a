import { describe, expect, it } from 'vitest';
import { httpStatusOf } from './httpErrors.js';

describe('httpStatusOf', () => {
  it('maps the neutral results of the queue and the library to the statuses the routes answer', () => {
    const expected: Record<string, number> = {
      INVALID_DOCUMENT: 400, // a graph code: the document was refused
      BAD_REQUEST: 400,
      TOO_DEEP: 400,
      UNKNOWN_RUN: 404,
      UNKNOWN_WORKFLOW: 404,
      CONFLICT: 409,
      NOT_CANCELLABLE: 409,
      NOT_RESUBMITTABLE: 409,
      DECOMPRESSION_LIMIT: 413,
      VALIDATION_FAILED: 422,
      LIMIT_EXCEEDED: 422,
      TOO_MANY_ATTEMPTS: 429,
      QUEUE_FULL: 503,
    };
    for (const [code, status] of Object.entries(expected)) expect([code, httpStatusOf(code)]).toEqual([code, status]);
  });
});
