import type { QueueOrderMessage, RunRecord, RunStatus } from '@ptp/graph-core';

/** A next page appended to the list, runs already shown (a live update raced the page) kept once. */
export function mergeRunPage(list: readonly RunRecord[], page: readonly RunRecord[]): RunRecord[] {
  const seen = new Set(list.map((r) => r.id));
  return [...list, ...page.filter((r) => !seen.has(r.id))];
}

/** What the History list shows: a search, a status, one batch ('' for any). */
export interface RunFilter {
  q: string;
  status: RunStatus | '';
  batch?: string;
}

function matches(run: RunRecord, filter: RunFilter): boolean {
  if (filter.status && run.status !== filter.status) return false;
  if (filter.batch && run.batch?.id !== filter.batch) return false;
  const q = filter.q.toLowerCase();
  return !q || run.name.toLowerCase().includes(q) || run.id.toLowerCase().includes(q);
}

/**
 * A live status in the list: the shown run updated in place (or dropped when it no longer passes
 * the filter), a run not shown yet put on top when it passes (new runs are the newest).
 */
export function upsertRun(list: readonly RunRecord[], run: RunRecord, filter: RunFilter): RunRecord[] {
  const at = list.findIndex((r) => r.id === run.id);
  if (at < 0) return matches(run, filter) ? [run, ...list] : [...list];
  if (!matches(run, filter)) return list.filter((r) => r.id !== run.id);
  return list.map((r, i) => (i === at ? run : r));
}

/**
 * "seed 42" or "seeds 42, 7" for a run's row or picture; undefined when it has none recorded (older runs) or
 * its name already says it (a batch names its runs "row 2 · seed 9").
 */
export function seedText(name: string, seeds: readonly number[] = []): string | undefined {
  if (!seeds.length) return undefined;
  const text = `${seeds.length === 1 ? 'seed' : 'seeds'} ${seeds.join(', ')}`;
  return new RegExp(`\\b${text}\\b`).test(name) ? undefined : text;
}

/** Milliseconds from start to finish (or to now while running); undefined before it started. */
export function runDuration(run: RunRecord, now = Date.now()): number | undefined {
  if (!run.startedAt) return undefined;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return Math.max(0, end - Date.parse(run.startedAt));
}

/** A batch at a glance, from its runs in the list: how many wait, run, succeeded or ended otherwise. */
export function batchSummary(runs: readonly RunRecord[]): {
  size: number;
  shown: number;
  waiting: number;
  running: number;
  succeeded: number;
  other: number;
  /** Runs retried since (their latest try is counted instead). */
  retried: number;
} {
  // A run retried (resubmitted) counts by its latest try only.
  const retried = new Set(runs.flatMap((r) => (r.resubmittedFrom ? [r.resubmittedFrom] : [])));
  const latest = runs.filter((r) => !retried.has(r.id));
  const count = (s: RunStatus) => latest.filter((r) => r.status === s).length;
  const waiting = count('queued');
  const running = count('running');
  const succeeded = count('succeeded');
  return {
    size: Math.max(0, ...runs.map((r) => r.batch?.size ?? 0)),
    shown: latest.length,
    waiting,
    running,
    succeeded,
    other: latest.length - waiting - running - succeeded,
    retried: runs.length - latest.length,
  };
}

/**
 * Each waiting run's place (0 = next) from the server's latest queue order. A run the order does
 * not name is not waiting any more when the order is whole (its status notice is on the way);
 * when the order names only the first runs, it is somewhere behind them.
 */
export function queuePlaces(runs: readonly RunRecord[], order: QueueOrderMessage | undefined): Map<string, number> {
  const live = new Map(order?.waiting.map((id, i) => [id, i]));
  const places = new Map<string, number>();
  for (const run of runs) {
    if (run.status !== 'queued') continue;
    const named = live.get(run.id);
    if (named !== undefined) places.set(run.id, named);
    else if (!order) {
      if (run.queuePosition !== undefined) places.set(run.id, run.queuePosition);
    } else if (order.waiting.length < order.total)
      places.set(run.id, Math.max(order.waiting.length, run.queuePosition ?? 0));
  }
  return places;
}
