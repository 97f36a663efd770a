import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { csvLine, parseCsv } from '@ptp/graph-core';

/**
 * One finished cell, as a worker reports it; `mergeResults` combines results from anywhere by key.
 * Metric numbers may be Infinity (PSNR of identical pixels) or NaN: a transport must carry them
 * (results.csv writes "inf" and an empty field; JSON would turn them into null).
 */
export const MetricCellValueSchema = z.union([z.number(), z.string(), z.null()]);
export const CellResultSchema = z.object({
  key: z.string(),
  index: z.number().int(),
  pair: z.string().nullable(),
  tags: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** node.param -> value as set for this cell (pair and grid). */
  params: z.record(z.string(), z.unknown()),
  status: z.enum(['ok', 'error']),
  ms: z.number(),
  /** node.metric -> number (or a context string). */
  metrics: z.record(z.string(), MetricCellValueSchema),
  error: z.string().optional(),
});
export type CellResult = z.infer<typeof CellResultSchema>;

/** Later results win (a rerun of a failed cell replaces the failure). */
export function mergeResults(...lists: readonly (readonly CellResult[])[]): CellResult[] {
  const byKey = new Map<string, CellResult>();
  for (const list of lists) for (const r of list) byKey.set(r.key, r);
  return [...byKey.values()].sort((a, b) => a.index - b.index);
}

const FIXED = ['key', 'index', 'pair', 'status', 'ms', 'error'] as const;

/** Numbers as CSV text: Infinity as "inf", NaN and null as empty. */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '';
    if (v === Infinity) return 'inf';
    if (v === -Infinity) return '-inf';
    return String(v);
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Reads a CSV field back: numbers (and inf) as numbers, empty as null, JSON arrays/objects parsed, else the string. */
export function parseValue(s: string): unknown {
  if (s === '') return null;
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Number(s);
  if (/^[[{]/.test(s) || s === 'true' || s === 'false') {
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  }
  return s;
}

/**
 * `results.csv`: one row per finished cell, appended as each finishes, so an interrupted sweep
 * keeps what it did. Columns: key, index, pair, status, ms, error, then `tag:<name>`, the cell's
 * params (node.param) and its metrics (node.metric) in first-seen order. A result with new columns
 * (or replacing an earlier failure) rewrites the file with the wider header, via a temporary file
 * and rename. Which columns are params is told by the caller (the plan knows), not guessed.
 */
export class SweepResults {
  readonly file: string;
  #columns: string[] = [...FIXED];
  #rows = new Map<string, CellResult>();
  #paramColumns: Set<string>;
  #headerWritten = false;

  private constructor(file: string, paramColumns: Iterable<string>) {
    this.file = file;
    this.#paramColumns = new Set(paramColumns);
  }

  /** Opens (or starts) a results file; rows cut short by a crash are dropped. */
  static async open(file: string, options: { paramColumns?: Iterable<string> } = {}): Promise<SweepResults> {
    const r = new SweepResults(file, options.paramColumns ?? []);
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const { rows, lastComplete } = parseCsv(text);
    const [header, ...body] = rows;
    // The header counts only when its line is complete (rows follow it, or it ends with a newline).
    if (header?.[0] === 'key' && (body.length > 0 || lastComplete)) {
      r.#columns = header;
      r.#headerWritten = true;
    }
    if (r.#headerWritten) {
      const complete = lastComplete ? body : body.slice(0, -1);
      let dropped = body.length - complete.length;
      for (const fields of complete) {
        const parsed = r.#fromFields(fields);
        if (parsed) r.#rows.set(parsed.key, parsed);
        else dropped++;
      }
      if (dropped) await r.#rewrite();
    } else if (text) await r.#rewrite(); // an unreadable or cut-short header: start the file again
    return r;
  }

  /** The CSV header, in order. */
  get columns(): readonly string[] {
    return this.#columns;
  }

  get results(): CellResult[] {
    return [...this.#rows.values()].sort((a, b) => a.index - b.index);
  }

  /** True when the cell finished without error (failed cells are run again). */
  done(key: string): boolean {
    return this.#rows.get(key)?.status === 'ok';
  }

  get(key: string): CellResult | undefined {
    return this.#rows.get(key);
  }

  async append(result: CellResult): Promise<void> {
    for (const p of Object.keys(result.params)) this.#paramColumns.add(p);
    const fresh = this.#columnsOf(result).filter((c) => !this.#columns.includes(c));
    const replaces = this.#rows.has(result.key);
    this.#rows.set(result.key, result);
    this.#columns.push(...fresh);
    if (fresh.length || replaces || !this.#headerWritten) await this.#rewrite();
    else await appendFile(this.file, csvLine(this.#toFields(result)));
  }

  #columnsOf(r: CellResult): string[] {
    return [...Object.keys(r.tags).map((t) => `tag:${t}`), ...Object.keys(r.params), ...Object.keys(r.metrics)];
  }

  #toFields(r: CellResult): string[] {
    return this.#columns.map((c) => {
      if (c === 'key') return r.key;
      if (c === 'index') return String(r.index);
      if (c === 'pair') return r.pair ?? '';
      if (c === 'status') return r.status;
      if (c === 'ms') return String(Math.round(r.ms));
      if (c === 'error') return r.error ?? '';
      if (c.startsWith('tag:')) return formatValue(r.tags[c.slice(4)]);
      if (c in r.params) return formatValue(r.params[c]);
      return formatValue(r.metrics[c]);
    });
  }

  #fromFields(fields: string[]): CellResult | undefined {
    if (fields.length !== this.#columns.length) return undefined;
    const get = (c: string) => fields[this.#columns.indexOf(c)] ?? '';
    const status = get('status');
    if (!get('key') || (status !== 'ok' && status !== 'error')) return undefined;
    const tags: CellResult['tags'] = {};
    const params: CellResult['params'] = {};
    const metrics: CellResult['metrics'] = {};
    this.#columns.forEach((c, i) => {
      if ((FIXED as readonly string[]).includes(c) || fields[i] === '') return;
      const v = parseValue(fields[i]!);
      if (c.startsWith('tag:')) tags[c.slice(4)] = v as string | number | boolean;
      else if (this.#paramColumns.has(c)) params[c] = v;
      else metrics[c] = typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v);
    });
    const error = get('error');
    return {
      key: get('key'),
      index: Number(get('index')),
      pair: get('pair') || null,
      tags,
      params,
      status,
      ms: Number(get('ms')),
      metrics,
      ...(error ? { error } : {}),
    };
  }

  async #rewrite(): Promise<void> {
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, csvLine(this.#columns) + this.results.map((r) => csvLine(this.#toFields(r))).join(''));
    await rename(tmp, this.file);
    this.#headerWritten = true;
  }
}
