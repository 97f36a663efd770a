// Tables for docs/study.md, recomputed from the sweeps' results.csv files (scripts/studyReport.ts).
import { readFileSync } from 'node:fs';
import { formatMeanCi, meanCi } from '../packages/runner/src/sweep/meanCi.js';

export type Row = Record<string, string>;

export function readCsv(file: string): Row[] {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  const parse = (line: string): string[] => {
    const out: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') {
        out.push(cur);
        cur = '';
      } else cur += c;
    }
    out.push(cur);
    return out;
  };
  const head = parse(lines[0]!);
  return lines.slice(1).map((l) => Object.fromEntries(parse(l).map((v, i) => [head[i]!, v])));
}

export const fmt = (v: number, digits = 3) =>
  Number.isFinite(v) ? (Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(digits)) : 'n/a';

/** A cell as a number: sweeps write identical pictures' PSNR as "inf"; an empty cell was not measured. */
export function value(r: Row, col: string): number | undefined {
  const s = r[col];
  if (s === undefined) return undefined;
  if (s === '') return Number.NaN;
  if (/^\+?(inf|infinity)$/i.test(s)) return Number.POSITIVE_INFINITY;
  return Number(s);
}

/** Mean of finite values; identical images (infinite PSNR) are counted apart. */
export function mean(rows: Row[], col: string): { value: number; inf: number } {
  const m = meanCi(rows.map((r) => value(r, col)));
  return { value: m.mean, inf: m.infinite };
}

/** Decimals of a mean's interval: PSNR in tenths of a dB, the rest in thousandths. */
export const digitsFor = (col: string) => (col.toLowerCase().includes('psnr') ? 1 : 3);

export interface Metric {
  readonly col: string;
  readonly name: string;
}

function groupRows(rows: Row[], by: readonly string[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const r of rows.filter((x) => x.status === 'ok')) {
    const key = by.map((b) => r[b]).join('\u0000');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return groups;
}

/** Means per group (rows grouped by the `by` columns); `ci` adds 95 % t intervals over the group's rows. */
export function table(rows: Row[], by: readonly string[], metrics: readonly Metric[], ci = false): string {
  const head = [
    ...by.map((b) => b.replace(/^tag:/, '').replace(/^schedule\./, '')),
    'n',
    ...metrics.map((m) => m.name),
  ];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const [key, g] of groupRows(rows, by)) {
    const cells = metrics.map((m) => {
      const s = meanCi(g.map((r) => value(r, m.col)));
      if (ci) return formatMeanCi(s, digitsFor(m.col));
      return fmt(s.mean) + (s.infinite ? ` (+${s.infinite} identical)` : '');
    });
    lines.push(`| ${[...key.split('\u0000'), String(g.length), ...cells].join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * Paired differences a - b of `col` over the runs both have (same pair and seed, and the same
 * values of the `match` columns, the other axes of a grid), with a 95 % interval; identical-picture
 * PSNRs (+Infinity) are capped at `psnrCap` dB so a pair is not lost.
 */
export function paired(a: Row[], b: Row[], col: string, match: readonly string[] = [], psnrCap = 60): string {
  const key = (r: Row) => [r.pair, r['capture.seed'], ...match.map((m) => r[m])].join('|');
  if (new Set(b.map(key)).size !== b.length)
    throw new Error(`paired ${col}: rows repeat a key; name the other axes in match`);
  const bv = new Map(b.filter((r) => r.status === 'ok').map((r) => [key(r), value(r, col)]));
  const cap = (v: number | undefined) => (v === Number.POSITIVE_INFINITY ? psnrCap : v);
  const diffs = a
    .filter((r) => r.status === 'ok' && bv.has(key(r)))
    .map((r) => {
      const x = cap(value(r, col));
      const y = cap(bv.get(key(r)));
      return x === undefined || y === undefined ? Number.NaN : x - y;
    });
  const m = meanCi(diffs);
  return `${formatMeanCi(m, digitsFor(col))} (n = ${m.n})`;
}
