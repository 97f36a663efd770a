import { z } from 'zod';
import type { CatalogueEntry } from '../catalogue.js';
import { parseCsv } from '../csv.js';
import type { WorkflowDocument } from '../document/WorkflowDocument.js';
import { graphError, type GraphError, type Result } from '../errors.js';
import type { NodeRegistry } from '../NodeRegistry.js';
import { runTargets } from '../runTargets.js';
import { validateGraph, type ValidateOptions } from '../validateGraph.js';

/**
 * A batch: one workflow queued many times (ComfyUI's batch count, InvokeAI's iterations and batch
 * lists): `count` runs per row, seeds stepped per run, and optional rows that set params
 * (`node.param` -> value) such as each run's prompts.
 */
export const BATCH_LIMITS = { runs: 100, rows: 100, keys: 20, cell: 2_000 } as const;

export const SEED_MODES = ['increment', 'random', 'fixed'] as const;
export type SeedMode = (typeof SEED_MODES)[number];

/** A row's value: text, a number, a flag, or a list of words (Local blend's words follow a row's prompts). */
const Cell = z.union([
  z.string().max(BATCH_LIMITS.cell),
  z.number(),
  z.boolean(),
  z.array(z.string().max(200)).max(64),
]);
export const BatchSpecSchema = z.object({
  /** Runs per row. */
  count: z.number().int().min(1).max(BATCH_LIMITS.runs).default(1),
  /**
   * increment: each run's seeds are the graph's plus its index; random: drawn per run; fixed: as in
   * the graph; a list: one run per listed seed (every seed param set to it), in place of `count`.
   */
  seeds: z
    .union([
      z.enum(SEED_MODES),
      z
        .array(
          z
            .number()
            .int()
            .min(0)
            .max(2 ** 32 - 1),
        )
        .min(1)
        .max(BATCH_LIMITS.runs),
    ])
    .default('increment'),
  rows: z
    .array(z.record(z.string().max(200), Cell).refine((r) => Object.keys(r).length <= BATCH_LIMITS.keys))
    .max(BATCH_LIMITS.rows)
    .default([]),
});
export type BatchSpec = z.infer<typeof BatchSpecSchema>;
export type BatchRow = BatchSpec['rows'][number];

export interface BatchRun {
  document: WorkflowDocument;
  /** e.g. "row 2 · seed 9" for lists and the run's name. */
  label: string;
  /** Index into the spec's rows (0 when it has none). */
  row: number;
}

const SEED_MAX = 2 ** 32 - 1;
type ParamSchema = { widget?: unknown; type?: unknown };
const paramsOf = (entry: CatalogueEntry | undefined): Record<string, ParamSchema> =>
  ((entry?.params as { properties?: Record<string, ParamSchema> } | undefined)?.properties ?? {}) as Record<
    string,
    ParamSchema
  >;

/** What a row key `node.param` names in `doc`: the node (if any), the param and its JSON Schema (if any). */
function paramAt(doc: WorkflowDocument, key: string, entryOf: (type: string) => CatalogueEntry | undefined) {
  const dot = key.lastIndexOf('.');
  const node = dot > 0 ? doc.nodes.find((n) => n.id === key.slice(0, dot)) : undefined;
  const param = key.slice(dot + 1);
  const schema = node ? paramsOf(entryOf(node.type))[param] : undefined;
  // Integers are numbers to a CSV cell and to a row's value.
  const kind = schema?.type === 'integer' ? 'number' : schema?.type;
  return { dot, node, param, schema, kind };
}

/** The seed params (widget `seed`) of a node type. */
export function seedParamsOf(entry: CatalogueEntry | undefined): string[] {
  return Object.entries(paramsOf(entry))
    .filter(([, s]) => s.widget === 'seed')
    .map(([name]) => name);
}

/**
 * The documents of a batch, in queue order (rows outer, runs inner), or every problem at once:
 * a row key that is not `node.param` of a node in the graph (the node and param named), a value of
 * the wrong kind for a number or boolean param, or more than BATCH_LIMITS.runs runs. Values are
 * checked in depth by validating each document (validateGraph), as for any run.
 */
export function planBatch(
  doc: WorkflowDocument,
  spec: BatchSpec,
  entryOf: (type: string) => CatalogueEntry | undefined,
  random: () => number = Math.random,
): Result<BatchRun[]> {
  const rows: BatchRow[] = spec.rows.length ? spec.rows : [{}];
  const list = Array.isArray(spec.seeds) ? spec.seeds : undefined;
  const perRow = list?.length ?? spec.count;
  const total = rows.length * perRow;
  const errors: GraphError[] = [];
  if (list && spec.count > 1)
    errors.push(
      graphError('INVALID_PARAM', 'a list of seeds sets the runs per row; give it or a count, not both', {
        param: 'count',
      }),
    );
  if (total > BATCH_LIMITS.runs)
    errors.push(
      graphError('LIMIT_EXCEEDED', `a batch is at most ${BATCH_LIMITS.runs} runs; this one is ${total}`, {
        param: 'count',
      }),
    );
  rows.forEach((row, r) => {
    for (const [key, value] of Object.entries(row)) {
      const { dot, node, param, schema, kind } = paramAt(doc, key, entryOf);
      const where = spec.rows.length ? `row ${r + 1}, ` : '';
      if (!node) {
        errors.push(
          graphError(
            'UNKNOWN_NODE',
            dot <= 0
              ? `${where}"${key}" is not node.param (a node id, a dot, a param name)`
              : `${where}"${key}": no node "${key.slice(0, dot)}" in the graph`,
          ),
        );
        continue;
      }
      if (!schema) {
        errors.push(
          graphError('UNKNOWN_PARAM', `${where}node "${node.id}" has no param "${param}"`, { nodeId: node.id, param }),
        );
        continue;
      }
      if ((kind === 'number' || kind === 'boolean') && typeof value !== kind)
        errors.push(
          graphError('INVALID_PARAM', `${where}${node.id}.${param} takes a ${kind}, got "${String(value)}"`, {
            nodeId: node.id,
            param,
          }),
        );
      if (kind === 'array' && !Array.isArray(value))
        errors.push(
          graphError(
            'INVALID_PARAM',
            `${where}${node.id}.${param} takes a list, got "${String(value)}" (in CSV rows: words separated by spaces, e.g. "red circle")`,
            { nodeId: node.id, param },
          ),
        );
    }
  });
  if (errors.length) return { ok: false, errors };

  const nodes = new Map(doc.nodes.map((n) => [n.id, n]));
  const seeded = doc.nodes.flatMap((n) => seedParamsOf(entryOf(n.type)).map((p) => ({ id: n.id, param: p })));
  const runs: BatchRun[] = [];
  rows.forEach((row, r) => {
    for (let i = 0; i < perRow; i++) {
      const overrides = new Map<string, Record<string, unknown>>();
      const set = (id: string, param: string, v: unknown) => overrides.set(id, { ...overrides.get(id), [param]: v });
      const seeds: number[] = [];
      for (const { id, param } of seeded) {
        const base = Number(nodes.get(id)!.params[param] ?? 0);
        const seed = list
          ? list[i]!
          : spec.seeds === 'fixed'
            ? base
            : spec.seeds === 'increment'
              ? (base + i) % (SEED_MAX + 1)
              : Math.floor(random() * (SEED_MAX + 1));
        set(id, param, seed);
        seeds.push(seed);
      }
      for (const [key, value] of Object.entries(row)) {
        const dot = key.lastIndexOf('.');
        set(key.slice(0, dot), key.slice(dot + 1), value);
      }
      const label = [
        ...(spec.rows.length ? [`row ${r + 1}`] : []),
        ...(seeds.length && spec.seeds !== 'fixed' ? [`seed ${seeds[0]}`] : perRow > 1 ? [`run ${i + 1}`] : []),
      ].join(' · ');
      runs.push({
        label,
        row: r,
        document: {
          ...doc,
          metadata: { ...doc.metadata, name: label ? `${doc.metadata.name} (${label})` : doc.metadata.name },
          nodes: doc.nodes.map((n) =>
            overrides.has(n.id) ? { ...n, params: { ...n.params, ...overrides.get(n.id) } } : n,
          ),
        },
      });
    }
  });
  return { ok: true, value: runs, warnings: [] };
}

/**
 * Each run checked as a run would be (validateGraph): the first `most` problems with the label of
 * the run they were found in, each told once per row (a row's runs differ only in their seeds).
 */
export function validateBatch(
  runs: readonly BatchRun[],
  registry: NodeRegistry,
  most = 20,
  options: ValidateOptions = {},
): (GraphError & { run: string })[] {
  const problems: (GraphError & { run: string })[] = [];
  const seen = new Set<string>();
  for (const run of runs) {
    // What would stop the run where it is queued: its limits, and only in what an output needs.
    for (const e of runTargets(validateGraph(run.document, registry, options)).blocking) {
      const key = JSON.stringify([run.row, e.nodeId, e.param, e.input, e.message]);
      if (seen.has(key)) continue;
      if (problems.length >= most) return problems;
      seen.add(key);
      problems.push({ ...e, run: run.label || 'run' });
    }
  }
  return problems;
}

/** A list param's cell: words separated by spaces or commas ("red circle"), or a JSON list of texts. */
function listCell(cell: string): string[] {
  if (cell.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(cell);
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) return parsed.slice(0, 64);
    } catch {
      // Not JSON: read as words.
    }
  }
  return cell
    .split(/[\s,]+/)
    .filter(Boolean)
    .slice(0, 64)
    .map((w) => w.slice(0, 200));
}

/**
 * Batch rows from CSV text: a header of `node.param` keys, one row per line; cells read as numbers,
 * booleans or lists of words where the param takes one (by the catalogue), else as text; an empty cell keeps the
 * graph's value. Bounded before anything is built.
 */
export function batchRowsFromCsv(
  text: string,
  doc: WorkflowDocument,
  entryOf: (type: string) => CatalogueEntry | undefined,
): Result<BatchRow[]> {
  if (text.length > BATCH_LIMITS.rows * BATCH_LIMITS.keys * BATCH_LIMITS.cell)
    return { ok: false, errors: [graphError('LIMIT_EXCEEDED', 'the batch rows are too long')] };
  const parsed = parseCsv(text);
  if (parsed.unclosedQuoteLine !== undefined)
    return {
      ok: false,
      errors: [
        graphError(
          'INVALID_INPUT',
          `batch rows: the quote opened on line ${parsed.unclosedQuoteLine} is never closed (a quote inside a quoted cell is written "")`,
        ),
      ],
    };
  const [header, ...body] = parsed.rows.filter((r) => r.some((c) => c.trim() !== ''));
  if (!header) return { ok: true, value: [], warnings: [] };
  const long = body.findIndex((cells) => cells.length > header.length);
  if (long >= 0)
    return {
      ok: false,
      errors: [
        graphError(
          'INVALID_INPUT',
          `batch rows: row ${long + 1} has ${body[long]!.length} cells but the header names ${header.length} columns`,
        ),
      ],
    };
  if (header.length > BATCH_LIMITS.keys || body.length > BATCH_LIMITS.rows)
    return {
      ok: false,
      errors: [
        graphError(
          'LIMIT_EXCEEDED',
          `batch rows: at most ${BATCH_LIMITS.keys} columns and ${BATCH_LIMITS.rows} rows (got ${header.length} and ${body.length})`,
        ),
      ],
    };
  const keys = header.map((k) => k.trim());
  const kinds = keys.map((key) => paramAt(doc, key, entryOf).kind);
  const rows = body.map((cells) => {
    const row: BatchRow = {};
    keys.forEach((key, c) => {
      const cell = cells[c];
      if (cell === undefined || cell === '') return;
      const trimmed = cell.trim();
      row[key] =
        kinds[c] === 'number' && trimmed !== '' && Number.isFinite(Number(trimmed))
          ? Number(trimmed)
          : kinds[c] === 'boolean' && (trimmed === 'true' || trimmed === 'false')
            ? trimmed === 'true'
            : kinds[c] === 'array'
              ? listCell(trimmed)
              : cell.slice(0, BATCH_LIMITS.cell);
    });
    return row;
  });
  return { ok: true, value: rows, warnings: [] };
}
