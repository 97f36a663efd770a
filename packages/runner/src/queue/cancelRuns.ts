import {
  BATCH_LIMITS,
  isFinalRunStatus,
  type BatchCancelResult,
  type RunRecord,
  type WaitingCancelResult,
} from '@ptp/graph-core';
import { apiFail, apiOk, type ApiResult } from '../ApiResult.js';
import type { RunQueue } from './RunQueue.js';

/**
 * Cancels runs on any queue, the last queued first, so a worker never picks up a run that is about
 * to be cancelled. Returns the ids it cancelled (or asked to stop); a run that ended meanwhile is
 * left out, not an error.
 */
async function cancelAll(queue: RunQueue, runs: readonly RunRecord[]): Promise<string[]> {
  const cancelled: string[] = [];
  for (const run of [...runs].reverse()) {
    const answer = await queue.cancel(run.id);
    if (answer.ok && (answer.value.status === 'cancelled' || !isFinalRunStatus(answer.value.status)))
      cancelled.push(run.id);
  }
  return cancelled;
}

/** What is left of a batch: its queued runs at once, its running ones asked to stop. */
export async function cancelBatch(queue: RunQueue, batchId: string): Promise<ApiResult<BatchCancelResult>> {
  // A batch has at most BATCH_LIMITS.runs runs, so one page holds all of them.
  const runs = await queue.list({ batch: batchId, limit: BATCH_LIMITS.runs });
  if (runs.length === 0) return apiFail('UNKNOWN_BATCH', `no runs of batch "${batchId}"`);
  const left = runs
    .filter((r) => !isFinalRunStatus(r.status))
    .sort((a, b) => (a.batch?.index ?? 0) - (b.batch?.index ?? 0));
  const cancelled = await cancelAll(queue, left);
  return apiOk({ batch: batchId, cancelled, final: runs.length - cancelled.length });
}

/**
 * Every run that waits in the queue, of every client (ComfyUI's "Clear queue", InvokeAI's "cancel
 * all except current"); running runs go on.
 */
export async function cancelWaiting(queue: RunQueue, limit: number): Promise<WaitingCancelResult> {
  // In queue order into cancelAll, which cancels from the back of the queue.
  return { cancelled: await cancelAll(queue, await waitingInOrder(queue, limit)) };
}

/**
 * Every waiting run, the next to start first. Lists page waiting runs from the back of the queue,
 * so all are read: the queue holds at most `limit` of them, so one list holds all.
 */
export async function waitingInOrder(queue: RunQueue, limit: number): Promise<RunRecord[]> {
  const waiting = await queue.list({ status: 'queued', limit });
  return waiting.sort((a, b) => (a.queuePosition ?? 0) - (b.queuePosition ?? 0));
}
