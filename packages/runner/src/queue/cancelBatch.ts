import { BATCH_LIMITS, isFinalRunStatus, type BatchCancelResult } from '@ptp/graph-core';
import { apiFail, apiOk, type ApiResult } from '../ApiResult.js';
import type { RunQueue } from './RunQueue.js';

/**
 * Cancels what is left of a batch, on any queue: its queued runs at once, its running ones asked to
 * stop. Later runs first, so a worker never picks up a run that is about to be cancelled. A run
 * that ends while this runs counts as final, not as a failure of the call.
 */
export async function cancelBatch(queue: RunQueue, batchId: string): Promise<ApiResult<BatchCancelResult>> {
  // A batch has at most BATCH_LIMITS.runs runs, so one page holds all of them.
  const runs = await queue.list({ batch: batchId, limit: BATCH_LIMITS.runs });
  if (runs.length === 0) return apiFail('UNKNOWN_BATCH', `no runs of batch "${batchId}"`);
  const left = runs
    .filter((r) => !isFinalRunStatus(r.status))
    .sort((a, b) => (b.batch?.index ?? 0) - (a.batch?.index ?? 0));
  const cancelled: string[] = [];
  for (const run of left) {
    const answer = await queue.cancel(run.id);
    if (answer.ok && (answer.value.status === 'cancelled' || !isFinalRunStatus(answer.value.status)))
      cancelled.push(run.id);
  }
  return apiOk({ batch: batchId, cancelled, final: runs.length - cancelled.length });
}
