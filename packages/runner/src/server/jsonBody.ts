import { parseJsonBounded } from '@ptp/graph-core';
import express, { type RequestHandler } from 'express';
import { sendError } from './httpErrors.js';

export interface JsonBodyLimits {
  maxJsonBodyBytes: number;
  maxJsonDepth: number;
}

/**
 * express.json with the nesting limit applied to the text before it is parsed: every JSON route
 * takes the same size and depth bounds, so nothing the API accepts can overflow a recursive
 * step later (stringify, hashing, the worker IPC).
 */
export function jsonBody(limits: JsonBodyLimits): RequestHandler {
  const raw = express.raw({ type: 'application/json', limit: limits.maxJsonBodyBytes });
  return (req, res, next) => {
    raw(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (!(req.body instanceof Uint8Array)) {
        // A body of another type would read as no body at all ("expected object"): say what to send.
        if (req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0)
          return sendError(res, 415, {
            code: 'UNSUPPORTED_MEDIA_TYPE',
            message: `send the body as application/json (got ${req.headers['content-type'] ?? 'no content-type'})`,
          });
        req.body = undefined;
        return next();
      }
      const parsed = parseJsonBounded(new TextDecoder().decode(req.body), 'request body', limits.maxJsonDepth);
      if (!parsed.ok) return sendError(res, 400, parsed.error);
      req.body = parsed.value;
      next();
    });
  };
}
