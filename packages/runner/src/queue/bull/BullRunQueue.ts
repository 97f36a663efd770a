import { randomUUID } from 'node:crypto';
import {
  API_LIMITS,
  isFinalRunStatus,
  type NodeRegistry,
  type RunDetail,
  type RunEvent,
  type RunOutput,
  type RunRecord,
} from '@ptp/graph-core';
import type { UploadStore } from '@ptp/nodes';
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { apiFail, apiOk, type ApiResult } from '../../ApiResult.js';
import {
  resubmission,
  type PreparedRun,
  type QueueNotice,
  type QueueStats,
  type RunListOptions,
  type RunQueue,
  type SubmitOutcome,
} from '../RunQueue.js';
import type { DecodedNotice } from './noticeCodec.js';
import { NoticeSubscriber } from './NoticeSubscriber.js';
import { DEFAULT_PREFIX, openRedis, quietRepeats, RedisKeys, type RedisTarget } from './redisConnection.js';
import { RedisRunStore, type RunAttempt } from './RedisRunStore.js';
import { canServe, parseRouteKey, routeKey, routeOf, routeQueueName } from './runRoute.js';
import { reconcileRuns } from './reconcileRuns.js';
import { uploadsOf } from './uploadsOf.js';
import { readWorkers, type WorkerInfo } from './workerRegistry.js';

export interface BullRunQueueOptions {
  redis: RedisTarget;
  /** The catalogue runs are validated with: it gives each graph's packs (its route). */
  registry: NodeRegistry;
  /** Where uploads named by a graph are read from, to pass them to workers on other machines. */
  uploads?: UploadStore;
  maxQueuedRuns?: number;
  /** Attempts per run when its worker process crashes (BullMQ retries); default 3. */
  attempts?: number;
  /** Wait before a crashed run is retried; default 1000 ms. */
  backoffMs?: number;
  /** How long outputs and uploads stay in Redis; default 7 days. */
  outputTtlS?: number;
  /** How often runs whose job failed or vanished without a worker saying so are settled; default 5 s. */
  reconcileIntervalMs?: number;
  now?: () => Date;
  log?: (message: string) => void;
}

const DAY_S = 86_400;

/**
 * The RunQueue on BullMQ + Redis, for one or many servers (and sweeps) sharing workers on other
 * machines (`ptp worker`). Run records, events and outputs live in Redis (RedisRunStore), jobs in
 * one BullMQ queue per route (packs + provider), live activity on a pub/sub channel every
 * instance listens to, so socket clients of any server see runs executed anywhere.
 *
 * Differences from the embedded queue, by design: a run whose worker process dies is not
 * `interrupted` — BullMQ finds it stalled and another worker runs it again (bounded: the run fails
 * after `attempts` crashes or too many stalls, with the error kept); a server restart touches no
 * run at all, since nothing executes in the server.
 */
export class BullRunQueue implements RunQueue {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #store: RedisRunStore;
  readonly #options: BullRunQueueOptions;
  readonly #queues = new Map<string, Queue>();
  readonly #listeners = new Set<(notice: QueueNotice) => void>();
  readonly #subscriber: NoticeSubscriber;
  /** Last event seq passed to listeners per active run, to fill gaps from the stored list. */
  readonly #lastSeen = new Map<string, number>();
  readonly #now: () => string;
  readonly #log: (message: string) => void;
  #chain: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #reconciling: Promise<void> | undefined;
  #closed = false;

  constructor(options: BullRunQueueOptions) {
    this.#options = options;
    this.#keys = new RedisKeys(options.redis.prefix ?? DEFAULT_PREFIX);
    this.#log = options.log ?? (() => {});
    this.#redis = openRedis(options.redis.url, this.#log);
    this.#store = new RedisRunStore(this.#redis, this.#keys);
    const now = options.now ?? (() => new Date());
    this.#now = () => now().toISOString();
    this.#subscriber = new NoticeSubscriber(this.#redis, this.#keys.notices, (n) => this.#enqueueNotice(n), this.#log);
    this.#subscriber.onReconnect(() => this.#enqueue(() => this.#catchUp()));
  }

  /** The store, for tools and tests that look beyond the RunQueue interface (attempts, workers). */
  get store(): RedisRunStore {
    return this.#store;
  }

  async start(): Promise<{ interrupted: string[]; queued: number }> {
    await this.#subscriber.start();
    await this.reconcile();
    const every = this.#options.reconcileIntervalMs ?? 5000;
    this.#timer = setInterval(() => void this.reconcile(), every);
    this.#timer.unref();
    return { interrupted: [], queued: await this.#store.count('queued') };
  }

  submit(run: PreparedRun): Promise<ApiResult<SubmitOutcome>> {
    return this.#enqueueRun(run);
  }

  async submitted(clientRequestId: string): Promise<boolean> {
    return (await this.#earlierRun(clientRequestId)) !== undefined;
  }

  async resubmit(runId: string): Promise<ApiResult<SubmitOutcome>> {
    const detail = await this.#store.detail(runId);
    if (!detail) return apiFail('UNKNOWN_RUN', `unknown run "${runId}"`);
    if (!['interrupted', 'failed', 'cancelled'].includes(detail.status))
      return apiFail(
        'NOT_RESUBMITTABLE',
        `run "${runId}" is ${detail.status}; only interrupted, failed or cancelled runs are resubmitted`,
      );
    return this.#enqueueRun(resubmission(detail), runId);
  }

  get(runId: string): Promise<RunDetail | undefined> {
    return this.#store.detail(runId);
  }

  list(query: RunListOptions): Promise<RunRecord[]> {
    return this.#store.list(query);
  }

  async delete(runId: string): Promise<ApiResult<{ id: string }>> {
    const run = await this.#store.get(runId);
    if (!run) return apiFail('UNKNOWN_RUN', `unknown run "${runId}"`);
    if (!(await this.#store.delete(runId)))
      return apiFail('NOT_DELETABLE', `run "${runId}" is ${run.status}; cancel it first`);
    this.#notify({ kind: 'deleted', runId });
    return apiOk({ id: runId });
  }

  async cancel(runId: string): Promise<ApiResult<RunRecord>> {
    const answer = await this.#store.cancel(runId, this.#now());
    if (answer === 'missing') return apiFail('UNKNOWN_RUN', `unknown run "${runId}"`);
    const record = (await this.#store.get(runId))!;
    if (answer === 'cancelled') {
      // Best effort: a job a worker already fetched is ended by the worker (the run is final).
      const route = await this.#store.route(runId);
      if (route)
        await this.#queue(route)
          .remove(runId)
          .catch(() => 0);
      return apiOk(record);
    }
    if (answer === 'requested') return apiOk(record);
    return apiFail('NOT_CANCELLABLE', `run "${runId}" is already ${answer}`);
  }

  async events(runId: string, afterSeq: number): Promise<RunEvent[] | undefined> {
    if (!(await this.#store.get(runId))) return undefined;
    return this.#store.events(runId, afterSeq);
  }

  async readOutput(runId: string, name: string): Promise<{ output: RunOutput; data: Uint8Array } | undefined> {
    const output = (await this.#store.get(runId))?.outputs.find((o) => o.name === name);
    const data = output && (await this.#store.readOutput(runId, name));
    return output && data ? { output, data } : undefined;
  }

  subscribe(listener: (notice: QueueNotice) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async stats(): Promise<QueueStats> {
    const [queued, running, paused, workers] = await Promise.all([
      this.#store.count('queued'),
      this.#store.count('running'),
      this.#store.paused(),
      this.workers(),
    ]);
    return { queued, running, paused, worker: { alive: workers.length > 0, restarts: 0 } };
  }

  /** Every worker on this Redis stops starting runs (the ones running go on), or starts again. */
  async setPaused(paused: boolean): Promise<void> {
    await this.#store.setPaused(paused);
  }

  /** Workers alive now (they refresh their entry while they run), with the packs they hold. */
  workers(): Promise<WorkerInfo[]> {
    return readWorkers(this.#redis, this.#keys);
  }

  attempts(runId: string): Promise<RunAttempt[]> {
    return this.#store.attempts(runId);
  }

  /**
   * Settles what no worker will: runs whose job BullMQ failed on its own (stalled too often) or
   * that lost their job (Redis restarted without persistence), and queued runs whose job was
   * never added (the submitter died in between). Safe to run from every instance at once.
   */
  reconcile(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#reconciling ??= reconcileRuns(
      this.#store,
      (route) => this.#queue(route),
      (route, id) => this.#addJob(route, id),
      this.#now(),
      this.#log,
    )
      .catch((err: Error) => this.#log(`reconcile: ${err.message}`))
      .finally(() => {
        this.#reconciling = undefined;
      });
    return this.#reconciling;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#listeners.clear();
    await this.#reconciling;
    await this.#subscriber.close();
    await Promise.all([...this.#queues.values()].map((q) => q.close().catch(() => undefined)));
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /** The run an earlier submit with this clientRequestId created, unless it has been deleted since. */
  async #earlierRun(clientRequestId: string): Promise<RunRecord | undefined> {
    const earlier = await this.#store.byClientRequestId(clientRequestId);
    return earlier ? await this.#store.get(earlier) : undefined;
  }

  async #enqueueRun(run: PreparedRun, resubmittedFrom?: string): Promise<ApiResult<SubmitOutcome>> {
    // An idempotent retry answers the first run whatever the queue's state (full, closing).
    const earlierRun = run.clientRequestId ? await this.#earlierRun(run.clientRequestId) : undefined;
    if (earlierRun) return apiOk({ run: earlierRun, duplicate: true });
    if (this.#closed) return apiFail('QUEUE_FULL', 'the server is shutting down');
    const max = this.#options.maxQueuedRuns ?? API_LIMITS.maxQueuedRuns;
    if ((await this.#store.count('queued')) >= max)
      return apiFail('QUEUE_FULL', `the queue holds ${max} runs already; try again later`);
    const route = routeKey(routeOf(run.workflow, run.options, this.#options.registry));
    await this.#shipUploads(run);
    const { id, duplicate } = await this.#store.insert({
      id: `run_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      name: run.workflow.metadata.name,
      options: run.options,
      workflow: run.workflow,
      createdAt: this.#now(),
      route,
      clientRequestId: run.clientRequestId,
      resubmittedFrom,
      batch: run.batch,
      front: run.front,
      seeds: run.seeds,
    });
    if (!duplicate) {
      try {
        await this.#addJob(route, id, run.front);
        void this.#warnIfUnserved(route);
      } catch (err) {
        await this.#store.finish(id, '', 'failed', this.#now(), {
          code: 'INTERNAL',
          message: `could not queue the run: ${(err as Error).message}`,
        });
        return apiFail('QUEUE_FULL', `the job queue is unavailable: ${(err as Error).message}`);
      }
    }
    return apiOk({ run: (await this.#store.get(id))!, duplicate });
  }

  async #addJob(route: string, runId: string, front = false): Promise<void> {
    await this.#redis.sadd(this.#keys.routes, route);
    const opts: JobsOptions = {
      jobId: runId,
      attempts: this.#options.attempts ?? 3,
      backoff: { type: 'fixed', delay: this.#options.backoffMs ?? 1000 },
      removeOnComplete: true,
      // Failed jobs keep BullMQ's own record of why (failedReason, stacktrace) for a week.
      removeOnFail: { age: 7 * DAY_S },
      // Queue front: BullMQ takes it before the jobs already waiting on its route.
      ...(front ? { lifo: true } : {}),
    };
    await this.#queue(route).add('run', { runId }, opts);
  }

  /** Runs on a route no live worker serves wait until one starts: say so where the server logs. */
  async #warnIfUnserved(route: string): Promise<void> {
    const parsed = parseRouteKey(route);
    const workers = await this.workers().catch(() => undefined);
    if (
      !parsed ||
      !workers ||
      workers.some((w) => canServe(parsed, { packs: new Set(w.packs.map((p) => p.id)), provider: w.provider }))
    )
      return;
    this.#log(
      `no live worker serves ${route} (packs ${parsed.packs.join(', ') || 'none'}, provider ${parsed.provider}); the run waits until one starts (ptp worker --redis ... --packs DIR)`,
    );
  }

  #queue(route: string): Queue {
    let queue = this.#queues.get(route);
    if (!queue) {
      queue = new Queue(routeQueueName(route), { connection: this.#redis, prefix: this.#keys.bull });
      const say = quietRepeats(this.#log);
      queue.on('error', (err: Error) => say(`queue ${route}: ${err.message}`));
      this.#queues.set(route, queue);
    }
    return queue;
  }

  async #shipUploads(run: PreparedRun): Promise<void> {
    const store = this.#options.uploads;
    if (!store) return;
    for (const id of uploadsOf(run.workflow)) {
      const upload = await store.read(id);
      // A missing upload is the node's error to report (with its param), not the queue's.
      if (upload) await this.#store.putUpload(id, upload, this.#options.outputTtlS ?? 7 * DAY_S);
    }
  }

  #enqueue(task: () => Promise<void>): void {
    this.#chain = this.#chain.then(task).catch((err: Error) => this.#log(`queue notices: ${err.message}`));
  }

  /** Notices are handled in arrival order (a status fetch never overtakes the events after it). */
  #enqueueNotice(notice: DecodedNotice): void {
    if (this.#closed || notice.k === 'cancel') return;
    this.#enqueue(() => this.#dispatch(notice));
  }

  async #dispatch(notice: Exclude<DecodedNotice, { k: 'cancel' }>): Promise<void> {
    if (!this.#listeners.size) return;
    if (notice.k === 'queue') return this.#notify({ kind: 'queue' });
    if (notice.k === 'status') {
      const run = await this.#store.get(notice.runId);
      if (!run) return;
      this.#notify({ kind: 'status', run });
      if (isFinalRunStatus(run.status)) this.#lastSeen.delete(run.id);
      return;
    }
    const { runId, event } = notice;
    const last = this.#lastSeen.get(runId);
    if (last !== undefined && event.seq <= last) return;
    if (last !== undefined && event.seq > last + 1) {
      // Missed some (the subscriber reconnected): they are stored before they are sent.
      for (const missed of await this.#store.events(runId, last))
        if (missed.seq < event.seq) this.#notify({ kind: 'event', runId, event: missed });
    }
    this.#lastSeen.set(runId, event.seq);
    if (this.#lastSeen.size > 10_000) this.#lastSeen.delete(this.#lastSeen.keys().next().value!);
    this.#notify({ kind: 'event', runId, event });
  }

  /** After the notices connection came back: deliver what active runs did meanwhile. */
  async #catchUp(): Promise<void> {
    for (const [runId, last] of [...this.#lastSeen]) {
      for (const event of await this.#store.events(runId, last)) {
        this.#lastSeen.set(runId, event.seq);
        this.#notify({ kind: 'event', runId, event });
      }
      const run = await this.#store.get(runId);
      if (run) this.#notify({ kind: 'status', run });
      if (run && isFinalRunStatus(run.status)) this.#lastSeen.delete(runId);
    }
  }

  #notify(notice: QueueNotice): void {
    for (const listener of this.#listeners) {
      try {
        listener(notice);
      } catch (err) {
        this.#log(`queue listener failed: ${(err as Error).message}`);
      }
    }
  }
}
