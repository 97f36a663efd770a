import { createHash } from 'node:crypto';
import { stableStringify, type WorkflowDocument } from '@ptp/graph-core';
import { z } from 'zod';

/**
 * What a sweep is made of, as data: grid axes, prompt pairs and the cells they multiply into.
 * Cells are independent and named by a stable key (a hash of the workflow and the cell's
 * assignments), so any runner (this process, or a queue worker later) can compute any cell and the
 * results merge by key.
 */
export const AssignmentSchema = z.object({ node: z.string().min(1), param: z.string().min(1), value: z.unknown() });
export type Assignment = z.infer<typeof AssignmentSchema>;

export const GridAxisSchema = z.object({
  node: z.string().min(1),
  param: z.string().min(1),
  values: z.array(z.unknown()).min(1),
});
export type GridAxis = z.infer<typeof GridAxisSchema>;

const Tags = z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.union([z.string(), z.number(), z.boolean()]));
const PairId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-"');

/**
 * A prompt-pairs file: a JSON array (or `{ "pairs": [...] }`) of entries, each either
 * - `{ "id"?, "source": "a red circle", "target": "a blue circle", "set"?, "tags"? }`: sets the `text`
 *   param of the source and target prompt nodes (`--source-node` / `--target-node`, default
 *   `source` / `target`), plus any extra `set` entries;
 * - `{ "id"?, "set": { "node.param": value, ... }, "tags"? }`: any params, e.g. blend words.
 * `tags` (e.g. `{ "kind": "colour", "contrast": "dark-light" }`) become CSV columns and results.md
 * breaks the means out by each tag. Without an id, one is made from the texts.
 */
export const PairEntrySchema = z
  .object({
    id: PairId.optional(),
    source: z.string().optional(),
    target: z.string().optional(),
    set: z.record(z.string().regex(/^[^.=]+\.[^=]+$/, 'keys are node.param'), z.unknown()).optional(),
    tags: Tags.optional(),
  })
  .strict()
  .refine((p) => p.set !== undefined || (p.source !== undefined && p.target !== undefined), {
    message: 'a pair needs "source" and "target" texts, or "set"',
  });
export type PairEntry = z.infer<typeof PairEntrySchema>;

export const PairsFileSchema = z.union([
  z.array(PairEntrySchema).min(1),
  z.object({ pairs: z.array(PairEntrySchema).min(1) }).strict(),
]);
export type PairsFile = z.infer<typeof PairsFileSchema>;

export interface SweepPair {
  readonly id: string;
  readonly assignments: readonly Assignment[];
  readonly tags: Readonly<Record<string, string | number | boolean>>;
}

export const SweepCellSchema = z.object({
  key: z.string(),
  index: z.number().int().min(0),
  pair: z.string().nullable(),
  tags: Tags,
  /** Pair assignments first, then one per grid axis, in axis order. */
  assignments: z.array(AssignmentSchema),
  /** Columns of the grid axes (node.param), to group results by. */
  axes: z.array(z.string()),
});
export type SweepCell = z.infer<typeof SweepCellSchema>;

/** `node.param=v1,v2,...`: values split on top-level commas, each read as JSON when it parses, else as a string. */
export function parseGridArg(arg: string): GridAxis {
  const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(arg);
  if (!m) throw new SweepSpecError(`--grid takes node.param=v1,v2,..., got "${arg}"`);
  const values = splitTopLevel(m[3]!).map(parseValue);
  if (values.length === 0 || m[3] === '') throw new SweepSpecError(`--grid ${m[1]}.${m[2]} has no values`);
  return { node: m[1]!, param: m[2]!, values };
}

function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Splits on commas outside brackets, braces and double quotes (so `[0,0.5]` stays one value). */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((v) => v.trim());
}

/** A sweep that cannot be planned or run; `code` names what a caller may tell apart (NO_METRICS). */
export class SweepSpecError extends Error {
  constructor(
    message: string,
    readonly code: string = 'SWEEP_SPEC',
  ) {
    super(message);
  }
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30);

/** Normalises a parsed pairs file; ids must be unique. */
export function readPairs(
  file: PairsFile,
  nodes: { source: string; target: string } = { source: 'source', target: 'target' },
): SweepPair[] {
  const entries = Array.isArray(file) ? file : file.pairs;
  const seen = new Set<string>();
  return entries.map((e, i) => {
    const assignments: Assignment[] = [];
    if (e.source !== undefined) assignments.push({ node: nodes.source, param: 'text', value: e.source });
    if (e.target !== undefined) assignments.push({ node: nodes.target, param: 'text', value: e.target });
    for (const [k, value] of Object.entries(e.set ?? {})) assignments.push({ ...splitColumn(k), value });
    const id = e.id ?? (e.source !== undefined ? `${slug(e.source)}--${slug(e.target!)}` : `pair-${i + 1}`);
    if (seen.has(id)) throw new SweepSpecError(`pair id "${id}" appears twice`);
    seen.add(id);
    return { id, assignments, tags: e.tags ?? {} };
  });
}

/** Hash of what a workflow computes (nodes, params, edges; not its name or layout). */
export function workflowHash(doc: WorkflowDocument): string {
  const what = {
    nodes: doc.nodes.map((n) => ({ id: n.id, type: n.type, v: n.typeVersion, params: n.params })),
    edges: doc.edges.map((e) => ({ from: e.from, to: e.to })),
  };
  return createHash('sha256').update(stableStringify(what)).digest('hex').slice(0, 16);
}

export const columnOf = (a: { node: string; param: string }) => `${a.node}.${a.param}`;

/** A `node.param` column's node and param (the param may hold dots; the node id cannot). */
export function splitColumn(column: string): { node: string; param: string } {
  const dot = column.indexOf('.');
  return { node: column.slice(0, dot), param: column.slice(dot + 1) };
}

/**
 * The cartesian product of the axes (first axis slowest) for each pair (or once without pairs).
 * `replicates` (e.g. seeds) multiply the cells like axes but are not grouped by: tables and plots
 * average over them, as over pairs.
 */
export function planSweep(
  doc: WorkflowDocument,
  axes: readonly GridAxis[],
  pairs: readonly SweepPair[] = [],
  replicates: readonly GridAxis[] = [],
): SweepCell[] {
  const nodeIds = new Set(doc.nodes.map((n) => n.id));
  for (const a of [...axes, ...replicates, ...pairs.flatMap((p) => p.assignments)]) {
    if (!nodeIds.has(a.node)) throw new SweepSpecError(`no node "${a.node}" in the workflow (from ${columnOf(a)})`);
  }
  const axisColumns = axes.map(columnOf);
  const allColumns = [...axisColumns, ...replicates.map(columnOf)];
  if (new Set(allColumns).size !== allColumns.length)
    throw new SweepSpecError('the same node.param appears in two --grid axes (or in --grid and --seeds)');
  let combos: Assignment[][] = [[]];
  for (const axis of [...axes, ...replicates])
    combos = combos.flatMap((c) => axis.values.map((value) => [...c, { node: axis.node, param: axis.param, value }]));
  const hash = workflowHash(doc);
  const cells: SweepCell[] = [];
  const keys = new Set<string>();
  for (const pair of pairs.length ? pairs : [null]) {
    for (const combo of combos) {
      const assignments = [...(pair?.assignments ?? []), ...combo];
      const key = createHash('sha256')
        .update(
          stableStringify({ workflow: hash, set: Object.fromEntries(assignments.map((a) => [columnOf(a), a.value])) }),
        )
        .digest('hex')
        .slice(0, 16);
      if (keys.has(key))
        throw new SweepSpecError(
          `two cells set the same params (pair "${pair?.id}"): check the pairs file for duplicates`,
        );
      keys.add(key);
      cells.push({
        key,
        index: cells.length,
        pair: pair?.id ?? null,
        tags: pair?.tags ?? {},
        assignments,
        axes: axisColumns,
      });
    }
  }
  return cells;
}
