import type { Queue } from 'bullmq';
import type { RedisRunStore } from './RedisRunStore.js';

/**
 * Settles what no worker will: runs whose job BullMQ failed on its own (stalled more often than
 * allowed: its workers kept dying), runs that lost their job (Redis restarted without
 * persistence), and queued runs whose job was never added (the submitter died in between).
 * Every state change is a guarded script, so any number of servers and sweeps may run this at once.
 */
export async function reconcileRuns(
  store: RedisRunStore,
  queueOf: (route: string) => Queue,
  addJob: (route: string, runId: string) => Promise<void>,
  now: string,
  log: (message: string) => void,
): Promise<void> {
  for (const id of await store.idsWithStatus('running')) {
    const route = await store.route(id);
    if (!route) continue;
    const queue = queueOf(route);
    const state = await queue.getJobState(id);
    if (state === 'failed') {
      const job = await queue.getJob(id);
      const reason = job?.failedReason || 'the job failed';
      const message = `${reason} (its workers kept dying; BullMQ gave up after ${job?.attemptsStarted ?? '?'} starts)`;
      await store.finish(id, '', 'failed', now, { code: 'WORKER_CRASHED', message }, [], true);
    } else if (state === 'unknown' || state === 'completed') {
      // A worker writes the final state before it completes the job, so a completed job here lost its record's update.
      const message = 'its job is gone from Redis (restarted without persistence?); resubmit it to run it again';
      await store.finish(id, '', 'interrupted', now, { code: 'INTERRUPTED', message }, [], true);
    }
  }
  for (const id of await store.idsWithStatus('queued', 1000)) {
    const route = await store.route(id);
    if (route && (await queueOf(route).getJobState(id)) === 'unknown') {
      log(`run ${id} was queued without its job; adding it`);
      await addJob(route, id);
    }
  }
}
