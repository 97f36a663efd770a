import type { SweepCell } from './sweepSpec.js';
import type { CellResult, SweepResults } from './SweepResults.js';

/**
 * Computes one cell. Implementations must treat cells as independent (any order, any process):
 * this process's engine (EngineCellExecutor) now, queue workers later.
 */
export interface CellExecutor {
  /** The cell's result, or 'interrupted' when `signal` stopped it (nothing is recorded then). */
  run(cell: SweepCell, signal: AbortSignal): Promise<CellResult | 'interrupted'>;
}

export type SweepEvent =
  | { type: 'skipped'; cell: SweepCell; done: number; total: number }
  | { type: 'started'; cell: SweepCell; done: number; total: number }
  | { type: 'finished'; cell: SweepCell; result: CellResult; done: number; total: number };

export interface SweepSummary {
  total: number;
  /** Cells already in the results file (not recomputed). */
  skipped: number;
  ran: number;
  failed: number;
  interrupted: boolean;
}

/**
 * Runs the cells not yet finished in `results`, one at a time, appending each result as it
 * finishes. Stops between or inside cells when `signal` aborts; a rerun with the same cells and
 * results file picks up where it stopped. With `concurrency` > 1 (a queue executor spreading
 * cells over workers) that many cells are in flight at once; results are appended one by one in
 * the order they finish.
 */
export async function runSweep(o: {
  cells: readonly SweepCell[];
  executor: CellExecutor;
  results: SweepResults;
  signal?: AbortSignal;
  onEvent?: (e: SweepEvent) => void;
  concurrency?: number;
}): Promise<SweepSummary> {
  const signal = o.signal ?? new AbortController().signal;
  const summary: SweepSummary = { total: o.cells.length, skipped: 0, ran: 0, failed: 0, interrupted: false };
  let done = 0;
  let next = 0;
  let stopped = false;
  let appending = Promise.resolve();
  const lane = async () => {
    while (next < o.cells.length && !stopped) {
      const cell = o.cells[next++]!;
      if (o.results.done(cell.key)) {
        summary.skipped++;
        done++;
        o.onEvent?.({ type: 'skipped', cell, done, total: summary.total });
        continue;
      }
      if (signal.aborted) break;
      o.onEvent?.({ type: 'started', cell, done, total: summary.total });
      const result = await o.executor.run(cell, signal);
      if (result === 'interrupted') {
        stopped = true;
        break;
      }
      // One writer at a time: the results file may be rewritten by an append.
      await (appending = appending.then(() => o.results.append(result)));
      summary.ran++;
      if (result.status !== 'ok') summary.failed++;
      done++;
      o.onEvent?.({ type: 'finished', cell, result, done, total: summary.total });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(o.concurrency ?? 1)) }, lane));
  summary.interrupted = done < summary.total;
  return summary;
}
