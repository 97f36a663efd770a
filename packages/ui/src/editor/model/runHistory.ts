import type { RunRecord, RunStatus } from '@ptp/graph-core';

/** A next page appended to the list, runs already shown (a live update raced the page) kept once. */
export function mergeRunPage(list: readonly RunRecord[], page: readonly RunRecord[]): RunRecord[] {
  const seen = new Set(list.map((r) => r.id));
  return [...list, ...page.filter((r) => !seen.has(r.id))];
}

function matches(run: RunRecord, filter: { q: string; status: RunStatus | '' }): boolean {
  if (filter.status && run.status !== filter.status) return false;
  const q = filter.q.toLowerCase();
  return !q || run.name.toLowerCase().includes(q) || run.id.toLowerCase().includes(q);
}

/**
 * A live status in the list: the shown run updated in place (or dropped when it no longer passes
 * the filter), a run not shown yet put on top when it passes (new runs are the newest).
 */
export function upsertRun(
  list: readonly RunRecord[],
  run: RunRecord,
  filter: { q: string; status: RunStatus | '' },
): RunRecord[] {
  const at = list.findIndex((r) => r.id === run.id);
  if (at < 0) return matches(run, filter) ? [run, ...list] : [...list];
  if (!matches(run, filter)) return list.filter((r) => r.id !== run.id);
  return list.map((r, i) => (i === at ? run : r));
}

/** Milliseconds from start to finish (or to now while running); undefined before it started. */
export function runDuration(run: RunRecord, now = Date.now()): number | undefined {
  if (!run.startedAt) return undefined;
  const end = run.finishedAt ? Date.parse(run.finishedAt) : now;
  return Math.max(0, end - Date.parse(run.startedAt));
}
