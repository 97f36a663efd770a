import { tQuantile975 } from './meanCi.js';
import type { SweepCell } from './sweepSpec.js';
import { formatValue, type CellResult } from './SweepResults.js';

/** One group of cells (same grid values, and tag value when broken out) with each metric's mean. */
export interface GroupMean {
  /** Axis column -> value (and `tag:<name>` when grouped by a tag). */
  readonly by: Readonly<Record<string, unknown>>;
  readonly n: number;
  /**
   * metric -> mean over finite values, with how many were +/-Infinity, and the half-width of its
   * 95 % Student-t interval (NaN under 2 finite values).
   */
  readonly means: Readonly<Record<string, { mean: number; finite: number; infinite: number; half: number }>>;
}

/** The numeric metric columns of the results, in `order` (results.csv's columns) then first-seen order. */
export function numericMetrics(results: readonly CellResult[], order: readonly string[] = []): string[] {
  const seen = new Set<string>();
  for (const r of results)
    for (const [k, v] of Object.entries(r.metrics)) if (typeof v === 'number' || v === null) seen.add(k);
  // A column that is ever a string is context, not a number.
  for (const r of results) for (const [k, v] of Object.entries(r.metrics)) if (typeof v === 'string') seen.delete(k);
  const rank = (c: string) => (order.includes(c) ? order.indexOf(c) : order.length);
  return [...seen].sort((a, b) => rank(a) - rank(b));
}

/** Results of the planned cells (by key), ok only, in plan order. */
export function plannedResults(
  cells: readonly SweepCell[],
  results: readonly CellResult[],
): { cell: SweepCell; result: CellResult }[] {
  const byKey = new Map(results.map((r) => [r.key, r]));
  return cells.flatMap((cell) => {
    const result = byKey.get(cell.key);
    return result?.status === 'ok' ? [{ cell, result }] : [];
  });
}

/** Means per distinct combination of the `by` columns (axis params, or `tag:<name>`), in first-seen order. */
export function groupMeans(
  rows: readonly { cell: SweepCell; result: CellResult }[],
  by: readonly string[],
  metrics: readonly string[],
): GroupMean[] {
  const groups = new Map<string, { by: Record<string, unknown>; rows: CellResult[] }>();
  for (const { result } of rows) {
    const values = Object.fromEntries(
      by.map((c) => [c, c.startsWith('tag:') ? result.tags[c.slice(4)] : result.params[c]]),
    );
    const id = JSON.stringify(by.map((c) => values[c] ?? null));
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { by: values, rows: [] }));
    g.rows.push(result);
  }
  return [...groups.values()].map((g) => ({
    by: g.by,
    n: g.rows.length,
    means: Object.fromEntries(
      metrics.map((m) => {
        const vs = g.rows
          .map((r) => r.metrics[m])
          .filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
        const finite = vs.filter(Number.isFinite);
        const mean = finite.length
          ? finite.reduce((a, b) => a + b, 0) / finite.length
          : vs.length
            ? vs[0]! > 0
              ? Infinity
              : -Infinity
            : Number.NaN;
        const n = finite.length;
        const sd = n > 1 ? Math.sqrt(finite.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
        const half = n > 1 ? (tQuantile975(n - 1) * sd) / Math.sqrt(n) : Number.NaN;
        return [m, { mean, finite: n, infinite: vs.length - n, half }];
      }),
    ),
  }));
}

export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return '-';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
  return a >= 100 ? v.toFixed(1) : a >= 10 ? v.toFixed(2) : v.toFixed(3);
}

/** "0.812 ± 0.041": the mean and its 95 % t interval (none for a single value), "(+k inf)" for identical pixels. */
const formatMean = (m: { mean: number; finite: number; infinite: number; half: number }) =>
  `${formatNumber(m.mean)}${Number.isFinite(m.half) ? ` ± ${formatNumber(m.half)}` : ''}${m.infinite && m.finite ? ` (+${m.infinite} inf)` : ''}`;
const escapeCell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const shownMetric = (v: unknown) => escapeCell(typeof v === 'number' ? formatNumber(v) : formatValue(v));
/** Params as they were set (0.2 stays 0.2). */
const shownParam = (v: unknown) => escapeCell(formatValue(v));

export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${head.map(escapeCell).join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/**
 * results.md: means over pairs per grid cell, the same broken out by each tag, then every cell.
 * Means are over finite values; "(+k inf)" counts values that were infinite (identical pixels).
 */
export function sweepMarkdown(o: {
  title: string;
  command?: string;
  cells: readonly SweepCell[];
  results: readonly CellResult[];
  plot?: string;
  columns?: readonly string[];
}): string {
  const rows = plannedResults(o.cells, o.results);
  const failed = o.cells.filter((c) => o.results.find((r) => r.key === c.key)?.status === 'error').length;
  const axes = o.cells[0]?.axes ?? [];
  const metrics = numericMetrics(
    rows.map((r) => r.result),
    o.columns,
  );
  const out: string[] = [`# ${o.title}`, ''];
  if (o.command) out.push(`Regenerate: \`${o.command}\``, '');
  out.push(
    `${rows.length} of ${o.cells.length} cells finished${failed ? `, ${failed} failed (see results.csv)` : ''}. Means over finite values ± the half-width of their 95 % Student-t interval (over the pairs and seeds in each row); "(+k inf)": k more were infinite (identical pixels).`,
    '',
  );
  if (o.plot) out.push(`![plot](${o.plot})`, '');
  if (!rows.length) return `${out.join('\n')}\n`;
  const meansTable = (by: string[]) =>
    markdownTable(
      [...by, 'n', ...metrics],
      groupMeans(rows, by, metrics).map((g) => [
        ...by.map((c) => shownParam(g.by[c])),
        String(g.n),
        ...metrics.map((m) => formatMean(g.means[m]!)),
      ]),
    );
  if (axes.length) out.push('## Means over pairs, per grid cell', '', meansTable(axes), '');
  const tags = [...new Set(rows.flatMap((r) => Object.keys(r.result.tags)))];
  for (const t of tags) out.push(`## By ${t}`, '', meansTable([`tag:${t}`, ...axes]), '');
  const params = [...new Set(rows.flatMap((r) => Object.keys(r.result.params)))];
  out.push(
    '## Every cell',
    '',
    markdownTable(
      ['pair', ...params, ...metrics],
      rows.map(({ result }) => [
        escapeCell(result.pair ?? ''),
        ...params.map((p) => shownParam(result.params[p])),
        ...metrics.map((m) => shownMetric(result.metrics[m])),
      ]),
    ),
    '',
  );
  return out.join('\n');
}
