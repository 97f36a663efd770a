import type { ApiLimits, NodeRegistry, RunBatchResult, RunRecord, RunRequest } from '@ptp/graph-core';
import { apiFail, apiOk, type ApiResult } from '../ApiResult.js';
import { prepareRun, type RunLimits, type RunnerHas } from './prepareRun.js';
import type { PreparedRun, RunQueue } from './RunQueue.js';

/**
 * Queues several runs in one call (InvokeAI's enqueue_batch). Every request is checked first, and
 * nothing is queued unless all pass and all fit in the queue; the error names the run (and, as
 * for one run, its node and input). Runs are queued in request order; a batch of front runs is
 * queued from its end, so it keeps its own order ahead of the runs already waiting.
 */
export async function submitBatch(
  queue: RunQueue,
  registry: NodeRegistry,
  limits: RunLimits & Pick<ApiLimits, 'maxQueuedRuns'>,
  requests: readonly RunRequest[],
  has: RunnerHas = {},
): Promise<ApiResult<RunBatchResult>> {
  const n = requests.length;
  const which = (i: number) => `run ${i + 1} of ${n}`;
  const prepared: PreparedRun[] = [];
  for (const [i, request] of requests.entries()) {
    const one = prepareRun(request, registry, limits, has);
    if (!one.ok) return { ok: false, error: { ...one.error, message: `${which(i)}: ${one.error.message}` } };
    prepared.push(one.value);
  }
  // A retried batch (its answer was lost) queues nothing for the runs it already queued: only the
  // new ones must fit.
  const fresh = await countFresh(queue, prepared);
  const { queued } = await queue.stats();
  if (fresh > 0 && queued + fresh > limits.maxQueuedRuns)
    return apiFail(
      'QUEUE_FULL',
      `the queue holds ${queued} of at most ${limits.maxQueuedRuns} runs: a batch of ${fresh} new run${fresh === 1 ? '' : 's'} does not fit; nothing was queued`,
    );
  const order = prepared.map((_, i) => i);
  if (prepared.every((p) => p.front)) order.reverse();
  const runs: RunRecord[] = [];
  let duplicates = 0;
  for (const [k, i] of order.entries()) {
    const submitted = await queue.submit(prepared[i]!);
    if (!submitted.ok) {
      const error = submitted.error;
      return { ok: false, error: { ...error, message: `${which(i)}: ${error.message} (${k} queued before it)` } };
    }
    runs[i] = submitted.value.run;
    if (submitted.value.duplicate) duplicates++;
  }
  return apiOk({ runs, duplicates });
}

/** How many of the runs would be new: not retries of an earlier submit, nor repeats within the batch. */
async function countFresh(queue: RunQueue, runs: readonly PreparedRun[]): Promise<number> {
  const ids = new Set<string>();
  let fresh = 0;
  for (const run of runs) {
    const id = run.clientRequestId;
    if (id === undefined) fresh++;
    else if (!ids.has(id)) {
      ids.add(id);
      if (!(await queue.submitted(id))) fresh++;
    }
  }
  return fresh;
}
