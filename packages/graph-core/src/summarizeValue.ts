/** A small JSON description of an output value for events: shapes and sizes, never the data. */
export function summarizeValue(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 200)}...` : value;
  if (typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value))
    return { kind: value.constructor.name, length: (value as unknown as ArrayLike<number>).length };
  if (Array.isArray(value))
    return depth > 1
      ? { kind: 'array', length: value.length }
      : value.slice(0, 8).map((v) => summarizeValue(v, depth + 1));
  if (depth > 1) return { kind: 'object' };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value).slice(0, 16)) out[k] = summarizeValue(v, depth + 1);
  return out;
}
