import { stat } from 'node:fs/promises';
import {
  BATCH_LIMITS,
  batchRowsFromCsv,
  buildCatalogue,
  planBatch,
  SEED_MODES,
  validateBatch,
  type BatchRow,
  type BatchRun,
  type GraphError,
  type NodeRegistry,
  type SeedMode,
  type ValidateOptions,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { resolveUserPath, UsageError } from '../cliSupport.js';
import { readText } from './cellExecution.js';

/** `--count N --seeds MODE --rows FILE`: the batch's documents (planBatch), each validated, or every problem. */
export async function planCliBatch(
  doc: WorkflowDocument,
  registry: NodeRegistry,
  values: { count?: string; seeds?: string; rows?: string },
  has: ValidateOptions,
): Promise<BatchRun[] | { errors: GraphError[] }> {
  const count = values.count === undefined ? 1 : Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > BATCH_LIMITS.runs)
    throw new UsageError(`--count takes 1 to ${BATCH_LIMITS.runs} runs, got "${values.count}"`);
  const seeds = seedsOption(values.seeds);
  if (Array.isArray(seeds) && values.count !== undefined)
    throw new UsageError('--seeds with a list runs once per listed seed; leave out --count', { showUsage: false });
  const entries = new Map(buildCatalogue(registry).nodes.map((e) => [e.type, e]));
  const entryOf = (t: string) => entries.get(t);
  let rows: BatchRow[] = [];
  if (values.rows !== undefined) {
    const file = resolveUserPath(values.rows);
    // Bounded before it is read (batchRowsFromCsv bounds the text again).
    const most = BATCH_LIMITS.rows * BATCH_LIMITS.keys * BATCH_LIMITS.cell;
    const size = (await stat(file).catch(() => undefined))?.size ?? 0;
    if (size > most) throw new UsageError(`--rows ${file} is ${size} bytes; a batch's rows are at most ${most}`);
    const text = await readText(file);
    const parsed = batchRowsFromCsv(text, doc, entryOf);
    if (!parsed.ok) return { errors: parsed.errors };
    rows = parsed.value;
    // A header and no rows would quietly run the graph once as it is.
    if (!rows.length)
      throw new UsageError(`--rows ${file} has no rows under its header (one run per row)`, { showUsage: false });
  }
  const planned = planBatch(doc, { count, seeds, rows }, entryOf);
  if (!planned.ok) return { errors: planned.errors };
  const errors = validateBatch(planned.value, registry, undefined, has).map((e) => ({
    ...e,
    message: `${e.run}: ${e.message}`,
  }));
  return errors.length ? { errors } : planned.value;
}

/** `--seeds`: how each run's seeds are chosen (a mode), or the seeds themselves (7,8,9: one run each). */
function seedsOption(given: string | undefined): SeedMode | number[] {
  if (given === undefined) return 'increment';
  if ((SEED_MODES as readonly string[]).includes(given)) return given as SeedMode;
  const list = /^\d+(,\d+)*$/.test(given) ? given.split(',').map(Number) : undefined;
  if (!list)
    throw new UsageError(`--seeds takes ${SEED_MODES.join(' | ')}, or a list of seeds (7,8,9), got "${given}"`);
  if (list.length > BATCH_LIMITS.runs) throw new UsageError(`--seeds lists at most ${BATCH_LIMITS.runs} seeds`);
  const over = list.find((n) => n > 2 ** 32 - 1);
  if (over !== undefined) throw new UsageError(`--seeds: ${over} is over the largest seed, ${2 ** 32 - 1}`);
  return list;
}
