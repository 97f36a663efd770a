const number = (v: number): string =>
  Number.isNaN(v)
    ? '–'
    : !Number.isFinite(v)
      ? v > 0
        ? '∞'
        : '-∞'
      : Number.isInteger(v)
        ? String(v)
        : String(Number(v.toPrecision(3)));

/**
 * A node's run summary as short `[name, value]` rows for its face (Edit metrics, Shape judge):
 * numbers to 3 significant digits, other values as JSON; at most `max` rows. A summary that is
 * not a flat object is one row holding its JSON.
 */
export function summaryLines(summary: unknown, max = 12): [string, string][] {
  if (summary === null || typeof summary !== 'object' || Array.isArray(summary))
    return [['', JSON.stringify(summary ?? null).slice(0, 200)]];
  return Object.entries(summary as Record<string, unknown>)
    .slice(0, max)
    .map(([k, v]) => [
      k,
      typeof v === 'number' ? number(v) : typeof v === 'string' ? v : JSON.stringify(v).slice(0, 80),
    ]);
}
