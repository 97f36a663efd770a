import { API_LIMITS } from './apiLimits.js';
import type { ApiError } from './apiErrors.js';

export type JsonCheck = { ok: true } | { ok: false; error: ApiError };

const tooDeep = (what: string, maxDepth: number): JsonCheck => ({
  ok: false,
  error: { code: 'TOO_DEEP', message: `${what} nests deeper than this server's limit of ${maxDepth} levels` },
});

/**
 * Nesting depth of JSON text, scanned before it is parsed (one pass, no recursion, strings
 * skipped): deep documents are refused before anything recursive (JSON.stringify, structured
 * clone across the worker IPC, hashing) can overflow its stack on them.
 */
export function checkJsonTextDepth(text: string, what: string, maxDepth: number = API_LIMITS.maxJsonDepth): JsonCheck {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return tooDeep(what, maxDepth);
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return { ok: true };
}

/** The same limit for a value that arrived already parsed (socket.io payloads); iterative. */
export function checkValueDepth(value: unknown, what: string, maxDepth: number = API_LIMITS.maxJsonDepth): JsonCheck {
  const stack: Array<[unknown, number]> = [[value, 0]];
  let visited = 0;
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > maxDepth) return tooDeep(what, maxDepth);
    // Shared references cannot come from JSON, but a bound keeps this linear whatever it is given.
    if (++visited > 1_000_000)
      return { ok: false, error: { code: 'LIMIT_EXCEEDED', message: `${what} has too many values` } };
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return { ok: true };
}

/** Parses JSON text after the depth check; errors are API errors, never throws. */
export function parseJsonBounded(
  text: string,
  what: string,
  maxDepth: number = API_LIMITS.maxJsonDepth,
): { ok: true; value: unknown } | { ok: false; error: ApiError } {
  const depth = checkJsonTextDepth(text, what, maxDepth);
  if (!depth.ok) return depth;
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return {
      ok: false,
      error: { code: 'INVALID_JSON', message: `${what} is not valid JSON: ${(err as Error).message}` },
    };
  }
}
