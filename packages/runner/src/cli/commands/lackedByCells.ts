import {
  runTargets,
  validateGraph,
  type GraphError,
  type NodeRegistry,
  type ValidateOptions,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { cellDocument, cellTargets } from '../../sweep/EngineCellExecutor.js';
import { SweepSpecError, type Assignment } from '../../sweep/sweepSpec.js';
import { localRunnerHas } from '../localRunnerHas.js';

/** What a runner's `has` adds to validation: the problems of a pack or upload it lacks. */
const LACKED_CODES: ReadonlySet<string> = new Set(['UNKNOWN_PACK', 'UPLOAD_NOT_FOUND']);

/** A refusal told as validation's are (`error CODE [node, param]: message`); NO_METRICS is not a graph's code. */
export type CellsRefusal = Omit<GraphError, 'code'> & { code: GraphError['code'] | 'NO_METRICS' };

/**
 * The packs and uploads that the cells of `ptp sweep` or `ptp tune` would load and this machine
 * lacks (UNKNOWN_PACK, UPLOAD_NOT_FOUND), found as `ptp run` finds them (localRunnerHas, then
 * validation of what the cells' targets need), so the command refuses them before any cell runs
 * and before anything is written, rather than every such cell failing on its own (NODE_FAILED).
 * A cell is the workflow with its assignments set (--grid, --seeds, a pairs file's prompts and
 * `set`). Each problem is told once, with how many cells it stops when not all: a pack the
 * workflow itself names would otherwise be told once per cell.
 *
 * What every cell would refuse is refused with them: a workflow with no METRICS output
 * (NO_METRICS), which the executor would refuse only after the output folder was written.
 * Other problems of a cell (a pair's prompts a node refuses) are left to the cell: it fails
 * alone and results.csv records it, as a sweep expects of some cells.
 */
export async function lackedByCells(o: {
  values: { packs?: string[] | undefined; uploads?: string[] | undefined; redis?: string | undefined };
  doc: WorkflowDocument;
  registry: NodeRegistry;
  cells: readonly { assignments: readonly Assignment[] }[];
  /** Whether output nodes are targets too (--save-images). */
  keepImages: boolean;
  /** What the cells are called in the message: tune checks its pairs (its candidates only set numbers). */
  noun?: string;
}): Promise<CellsRefusal[]> {
  const { values, doc, registry, cells } = o;
  // With --redis the workers load the packs (a cell waits for a worker that has its pack), while
  // uploads are read here and sent with the cell: only they are this machine's to check.
  const { packs, uploads } = await localRunnerHas(values.redis ? { uploads: values.uploads } : values);
  const has: ValidateOptions = values.redis ? { uploads } : { packs, uploads };
  let targets: string[];
  try {
    targets = cellTargets(doc, registry, o.keepImages).targets;
  } catch (err) {
    if (err instanceof SweepSpecError && err.code === 'NO_METRICS')
      return [{ code: 'NO_METRICS', message: err.message, severity: 'error' }];
    throw err;
  }
  // Only a string can name a pack or an upload, so cells that agree on their strings lack the
  // same ones: a grid of numbers over one workflow is validated once, not once per cell.
  const groups = new Map<string, { assignments: readonly Assignment[]; cells: number }>();
  for (const cell of cells) {
    const key = JSON.stringify(cell.assignments.filter((a) => typeof a.value === 'string'));
    const group = groups.get(key);
    if (group) group.cells++;
    else groups.set(key, { assignments: cell.assignments, cells: 1 });
  }
  const found = new Map<string, { error: GraphError; cells: number }>();
  for (const group of groups.values()) {
    // The commands refuse a cell setting a node the workflow lacks before this (a usage error).
    const report = validateGraph(cellDocument(doc, group), registry, has);
    for (const error of runTargets(report, targets).blocking) {
      if (!LACKED_CODES.has(error.code)) continue;
      const key = JSON.stringify([error.code, error.nodeId, error.param, error.message]);
      const seen = found.get(key);
      if (seen) seen.cells += group.cells;
      else found.set(key, { error, cells: group.cells });
    }
  }
  const noun = o.noun ?? 'cells';
  return [...found.values()].map(({ error, cells: n }) =>
    n === cells.length ? error : { ...error, message: `${error.message} (in ${n} of ${cells.length} ${noun})` },
  );
}
