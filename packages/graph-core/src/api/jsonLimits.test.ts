import { describe, expect, it } from 'vitest';
import { checkJsonTextDepth, checkValueDepth, parseJsonBounded } from './jsonLimits.js';

const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('JSON nesting limits', () => {
  it('measures depth in text without parsing, ignoring brackets inside strings', () => {
    expect(checkJsonTextDepth(nested(64), 'doc', 64).ok).toBe(true);
    expect(checkJsonTextDepth(nested(65), 'doc', 64)).toMatchObject({
      ok: false,
      error: { code: 'TOO_DEEP', message: "doc nests deeper than this server's limit of 64 levels" },
    });
    expect(checkJsonTextDepth(JSON.stringify({ s: '[[[[[[[[[[\\"{{{{{' }), 'doc', 2).ok).toBe(true);
    expect(checkJsonTextDepth('[[[', 'doc', 2).ok).toBe(false);
  });

  it('refuses 100,000 levels in linear time and without a stack overflow', () => {
    const text = nested(100_000);
    expect(parseJsonBounded(text, 'run request')).toMatchObject({ ok: false, error: { code: 'TOO_DEEP' } });
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(checkValueDepth(deep, 'submit message')).toMatchObject({ ok: false, error: { code: 'TOO_DEEP' } });
  });

  it('parses what is within bounds and reports malformed JSON as INVALID_JSON', () => {
    expect(parseJsonBounded('{"x":[1,2]}', 'body')).toEqual({ ok: true, value: { x: [1, 2] } });
    expect(parseJsonBounded('{"x":', 'body')).toMatchObject({ ok: false, error: { code: 'INVALID_JSON' } });
    expect(checkValueDepth({ a: [{ b: null }] }, 'm', 3).ok).toBe(true);
    expect(checkValueDepth({ a: [{ b: {} }] }, 'm', 3).ok).toBe(false);
  });
});
