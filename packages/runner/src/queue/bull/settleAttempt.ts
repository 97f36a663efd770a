import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorContext, type RunFailure, type RunOutput } from '@ptp/graph-core';
import type { Job } from 'bullmq';
import type { RunOutcome } from '../../worker/workerProtocol.js';
import type { RedisRunStore } from './RedisRunStore.js';

/** What a worker knows about the attempt it is ending. */
export interface AttemptState {
  runId: string;
  cancelRequested: boolean;
  /** Shutting down: the run goes back to the queue instead of ending. */
  handBack: boolean;
  /** Another attempt took the run over (this one was presumed dead): stop, touch nothing. */
  lost: boolean;
}

/**
 * Writes how an attempt ended, then tells BullMQ — record first, so a worker dying in between
 * leaves a job whose next attempt finds the run final and does nothing. Engine outcomes (success,
 * a node's error) end the run; a crash of the executor's process is a failed attempt BullMQ
 * retries until `attempts` are spent, then the run fails with the crash kept as its error.
 */
export async function settleAttempt(o: {
  store: RedisRunStore;
  job: Job;
  token: string;
  attempt: AttemptState;
  outcome: RunOutcome;
  outDir: string;
  attempts: number;
  outputTtlS: number;
  log: (message: string) => void;
}): Promise<void> {
  const { store, job, token, attempt: current, outcome, attempts, log } = o;
  const { runId } = current;
  const now = () => new Date().toISOString();
  const complete = (status: string) =>
    job
      .moveToCompleted({ status }, token, false)
      .catch((err: Error) => log(`run ${runId}: could not complete its job: ${err.message}`));
  if (current.lost) return;
  if (current.handBack) {
    await store.requeue(runId, token);
    await job.moveToWait(token).catch((err: Error) => log(`run ${runId}: could not hand back its job: ${err.message}`));
    return;
  }
  if (current.cancelRequested && outcome.status !== 'success') {
    const message = outcome.crashed ? 'cancelled (the run did not stop in time: its process was stopped)' : 'cancelled';
    await store.finish(runId, token, 'cancelled', now(), { code: 'INTERRUPTED', message }, [], true);
    await complete('cancelled');
    return;
  }
  if (outcome.crashed === undefined && (outcome.status === 'success' || outcome.status === 'error')) {
    const outputs: RunOutput[] = [];
    for (const output of outcome.outputs) {
      await store.putOutput(runId, output.name, await readFile(path.join(o.outDir, output.name)), o.outputTtlS);
      outputs.push(output);
    }
    if (outcome.metrics?.length) await store.putMetrics(runId, outcome.metrics, o.outputTtlS);
    await store.finish(
      runId,
      token,
      outcome.status === 'success' ? 'succeeded' : 'failed',
      now(),
      failureOf(outcome),
      outputs,
    );
    await complete(outcome.status);
    return;
  }
  // The executor's process died (or the run stopped for no asked reason): an attempt failed.
  const n = job.attemptsMade + 1;
  const reason = outcome.crashed ?? 'the run stopped without finishing';
  if (n >= attempts) {
    const message = `${reason} (attempt ${n} of ${attempts}; giving up)`;
    await store.finish(runId, token, 'failed', now(), { code: 'WORKER_CRASHED', message }, [], true);
    await job.moveToFailed(new Error(message), token, false).catch((err: Error) => log(`run ${runId}: ${err.message}`));
  } else {
    log(`run ${runId}: ${reason} (attempt ${n} of ${attempts}); it will be retried`);
    await store.requeue(runId, token);
    await job
      .moveToFailed(new Error(`${reason} (attempt ${n} of ${attempts})`), token, false)
      .catch((err: Error) => log(`run ${runId}: ${err.message}`));
  }
}

/** Why a run the engine ended did not succeed, as its record says it. */
function failureOf(outcome: RunOutcome): RunFailure | undefined {
  if (outcome.status === 'success') return undefined;
  const first = outcome.errors[0];
  if (!first) return { code: 'NODE_FAILED', message: 'the run failed' };
  return { code: first.code, message: first.message, ...errorContext(first), errors: outcome.errors };
}
