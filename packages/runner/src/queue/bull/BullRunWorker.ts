import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { RunEvent, WorkflowDocument } from '@ptp/graph-core';
import type { UploadRecord } from '@ptp/nodes';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunExecutor, RunOutcome } from '../../worker/workerProtocol.js';
import { NoticeSubscriber } from './NoticeSubscriber.js';
import { DEFAULT_PREFIX, openRedis, quietRepeats, RedisKeys, type RedisTarget } from './redisConnection.js';
import { RedisRunStore } from './RedisRunStore.js';
import { canServe, parseRouteKey, routeQueueName } from './runRoute.js';
import { settleAttempt, type AttemptState } from './settleAttempt.js';
import { uploadsOf } from './uploadsOf.js';
import { advertiseWorker, withdrawWorker, type WorkerInfo } from './workerRegistry.js';

export interface BullRunWorkerOptions {
  redis: RedisTarget;
  /** Runs the graphs (the inference child process); one run at a time. */
  executor: RunExecutor;
  provider: string;
  /** The packs this machine holds: only jobs needing a subset of them are fetched. */
  packs: WorkerInfo['packs'];
  /** Outputs are written here by the executor before they go to Redis. */
  scratchDir: string;
  /** Where the executor reads uploads from: uploads a graph names are fetched from Redis into it first. */
  uploadCache?: {
    read(id: string): Promise<unknown>;
    put(bytes: Uint8Array, name: string, mediaType: string): Promise<UploadRecord>;
  };
  id?: string;
  /** BullMQ lock: a worker that stops renewing it for this long is presumed dead. Default 30 s. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. Default 30 s. */
  stalledIntervalMs?: number;
  /** Stalls (worker deaths) a run survives before BullMQ fails it. Default 2. */
  maxStalledCount?: number;
  /** Idle poll across routes (a queued-run notice wakes it sooner). Default 1 s. */
  pollMs?: number;
  heartbeatMs?: number;
  outputTtlS?: number;
  log?: (message: string) => void;
}

interface Current extends AttemptState {
  token: string;
  done: Promise<void>;
}

/**
 * One `ptp worker` process: fetches jobs from the BullMQ queues of the routes it can serve, one
 * at a time (concurrency 1: one process per GPU), runs them on its executor and writes events,
 * outputs and the final state to Redis. Jobs are fetched manually (BullMQ's getNextJob) because
 * one process serves several queues and must never hold two jobs; the lock is renewed and the
 * stalled-job check run here for the same reason.
 */
export class BullRunWorker {
  readonly id: string;
  readonly #o: BullRunWorkerOptions;
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #store: RedisRunStore;
  readonly #subscriber: NoticeSubscriber;
  readonly #packs: ReadonlySet<string>;
  /** BullMQ workers (manual fetching) by route. */
  readonly #routes = new Map<string, Worker>();
  readonly #log: (message: string) => void;
  readonly #startedAt = new Date().toISOString();
  #current: Current | undefined;
  #done = 0;
  #rotation = 0;
  #tokens = 0;
  #stopping = false;
  #wake: (() => void) | undefined;
  #loop: Promise<void> | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #routesRefreshedAt = 0;

  constructor(options: BullRunWorkerOptions) {
    this.#o = options;
    this.id = options.id ?? `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
    this.#keys = new RedisKeys(options.redis.prefix ?? DEFAULT_PREFIX);
    this.#log = options.log ?? (() => {});
    this.#redis = openRedis(options.redis.url, this.#log);
    this.#store = new RedisRunStore(this.#redis, this.#keys);
    this.#packs = new Set(options.packs.map((p) => p.id));
    this.#subscriber = new NoticeSubscriber(
      this.#redis,
      this.#keys.notices,
      (n) => {
        if (n.k === 'cancel' && this.#current?.runId === n.runId) this.#cancelCurrent();
        else if (n.k === 'status' || n.k === 'queue') this.#wake?.();
      },
      this.#log,
    );
  }

  get busyWith(): string | undefined {
    return this.#current?.runId;
  }

  async start(): Promise<void> {
    await this.#subscriber.start();
    await this.#refreshRoutes();
    await this.#advertise();
    const every = this.#o.heartbeatMs ?? 5000;
    this.#heartbeat = setInterval(
      () => void this.#advertise().catch((err: Error) => this.#log(`heartbeat: ${err.message}`)),
      every,
    );
    this.#loop = this.#run();
  }

  /**
   * Graceful stop: takes no new job; the running one may finish within `graceMs`, else it is
   * cancelled and handed back to the queue (another worker runs it from the start).
   */
  async stop(graceMs = 30_000): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    const current = this.#current;
    if (current) {
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        current.done.then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs))),
      ]);
      clearTimeout(timer);
      if (!finished) {
        this.#log(`run ${current.runId} did not finish within ${graceMs} ms: handing it back to the queue`);
        current.handBack = true;
        this.#o.executor.cancel(current.runId);
      }
    }
    await this.#loop;
    clearInterval(this.#heartbeat);
    await withdrawWorker(this.#redis, this.#keys, this.id).catch(() => undefined);
    await Promise.all([...this.#routes.values()].map((w) => w.close(true).catch(() => undefined)));
    await this.#subscriber.close();
    await this.#o.executor.close();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      try {
        if (Date.now() - this.#routesRefreshedAt > 2000) await this.#refreshRoutes();
        // Paused: take no job (the one running goes on); a resume notice wakes the loop.
        const next = (await this.#redis.exists(this.#keys.paused)) ? undefined : await this.#fetch();
        if (next) await this.#process(next.job, next.token);
        else await this.#idle(this.#o.pollMs ?? 1000);
      } catch (err) {
        this.#log(`worker loop: ${(err as Error).message}`);
        await this.#idle(1000);
      }
    }
  }

  #idle(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /** Attaches to every route this worker can serve (routes appear as runs are queued on them). */
  async #refreshRoutes(): Promise<void> {
    this.#routesRefreshedAt = Date.now();
    for (const key of await this.#redis.smembers(this.#keys.routes)) {
      if (this.#routes.has(key)) continue;
      const route = parseRouteKey(key);
      if (!route || !canServe(route, { packs: this.#packs, provider: this.#o.provider })) continue;
      const worker = new Worker(routeQueueName(key), null, {
        connection: this.#redis,
        prefix: this.#keys.bull,
        autorun: false,
        name: this.id,
        lockDuration: this.#o.lockDurationMs ?? 30_000,
        stalledInterval: this.#o.stalledIntervalMs ?? 30_000,
        maxStalledCount: this.#o.maxStalledCount ?? 2,
      });
      const say = quietRepeats(this.#log);
      worker.on('error', (err: Error) => say(`route ${key}: ${err.message}`));
      this.#routes.set(key, worker);
      await worker.startStalledCheckTimer();
      this.#log(`serving route ${key}`);
    }
  }

  /** The next job from any served route, taking routes in turn so none starves. */
  async #fetch(): Promise<{ job: Job; token: string } | undefined> {
    const workers = [...this.#routes.values()];
    for (let i = 0; i < workers.length && !this.#stopping; i++) {
      const worker = workers[(this.#rotation + i) % workers.length]!;
      const token = `${this.id}:${this.#tokens++}`;
      const job = (await worker.getNextJob(token, { block: false })) as Job | undefined;
      if (job) {
        this.#rotation = (this.#rotation + i + 1) % workers.length;
        return { job, token };
      }
    }
    return undefined;
  }

  /** Fails a run for good (no retry): it was started more often than its attempts and stalls allow. */
  async #giveUp(job: Job, token: string, runId: string): Promise<void> {
    const message = `started ${job.attemptsStarted} times without finishing (its workers kept dying)`;
    await this.#store.finish(
      runId,
      '',
      'failed',
      new Date().toISOString(),
      { code: 'WORKER_CRASHED', message },
      [],
      true,
    );
    await job
      .moveToFailed(new UnrecoverableError(message), token, false)
      .catch((err: Error) => this.#log(`run ${runId}: ${err.message}`));
  }

  /**
   * Appends the attempt's events to the run's stream in order, seqs following `offset` (a retried
   * run continues its stream). If another attempt has taken the run over, stops this one.
   */
  #eventAppender(current: Current, offset: number): { onEvent(event: RunEvent): void; appended(): Promise<void> } {
    const { runId, token } = current;
    let appended = Promise.resolve();
    return {
      onEvent: (event) => {
        const shifted = { ...event, seq: event.seq + offset } as RunEvent;
        appended = appended.then(async () => {
          if (current.lost) return;
          if ((await this.#store.append(runId, token, shifted)) !== 1) {
            current.lost = true;
            this.#log(`run ${runId}: taken over by another attempt; stopping this one`);
            this.#o.executor.cancel(runId);
          }
        });
      },
      appended: () => appended,
    };
  }

  async #process(job: Job, token: string): Promise<void> {
    const runId = (job.data as { runId: string }).runId;
    const attempts = job.opts.attempts ?? 1;
    // Crashes count as attempts, stalls do not: bound the two together so a run that keeps
    // killing whole workers (not only their child) still ends.
    if (job.attemptsStarted > attempts + (this.#o.maxStalledCount ?? 2)) return this.#giveUp(job, token, runId);
    const begun = await this.#store.begin(
      runId,
      token,
      { worker: this.id, host: os.hostname(), pid: process.pid, startedAt: new Date().toISOString() },
      { code: 'INTERRUPTED', message: 'cancelled' },
    );
    if (begun.kind !== 'run') {
      // Cancelled while queued, already finished by an earlier attempt, or gone: nothing to run.
      await job
        .moveToCompleted({ status: begun.kind === 'final' ? begun.status : 'missing' }, token, false)
        .catch((err: Error) => this.#log(`run ${runId}: ${err.message}`));
      return;
    }
    let release!: () => void;
    const current: Current = {
      runId,
      token,
      cancelRequested: false,
      handBack: false,
      lost: false,
      done: new Promise<void>((r) => (release = r)),
    };
    this.#current = current;
    void this.#advertise().catch(() => undefined);
    const lockMs = this.#o.lockDurationMs ?? 30_000;
    const renew = setInterval(() => void this.#renew(job, token, lockMs), Math.max(200, Math.floor(lockMs / 3)));
    const outDir = path.join(this.#o.scratchDir, runId, String(begun.attempt));
    try {
      if (await this.#store.cancelRequested(runId)) current.cancelRequested = true;
      await this.#fetchUploads(begun.workflow);
      const events = this.#eventAppender(current, begun.lastSeq + 1);
      let outcome: RunOutcome;
      if (current.cancelRequested) outcome = { status: 'interrupted', errors: [], outputs: [] };
      else {
        outcome = await this.#o.executor
          .execute({ runId, workflow: begun.workflow, options: begun.options, outDir }, events.onEvent)
          .catch((err: Error): RunOutcome => ({
            status: 'interrupted',
            errors: [],
            outputs: [],
            crashed: err.message,
          }));
      }
      await events.appended().catch((err: Error) => this.#log(`run ${runId}: events: ${err.message}`));
      clearInterval(renew);
      await settleAttempt({
        store: this.#store,
        job,
        token,
        attempt: current,
        outcome,
        outDir,
        attempts,
        outputTtlS: this.#o.outputTtlS ?? 7 * 86_400,
        log: this.#log,
      });
    } finally {
      clearInterval(renew);
      this.#current = undefined;
      this.#done++;
      release();
      void this.#advertise().catch(() => undefined);
      await rm(path.join(this.#o.scratchDir, runId), { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async #renew(job: Job, token: string, lockMs: number): Promise<void> {
    try {
      // A lost lock is not fatal by itself: appends stop only if another attempt begins the run.
      if (!(await job.extendLock(token, lockMs)))
        this.#log(`run ${job.id}: lock lost (another worker may take it over)`);
      const current = this.#current;
      if (current && !current.cancelRequested && (await this.#store.cancelRequested(current.runId)))
        this.#cancelCurrent();
    } catch (err) {
      this.#log(`run ${job.id}: lock renewal: ${(err as Error).message}`);
    }
  }

  #cancelCurrent(): void {
    const current = this.#current;
    if (!current || current.cancelRequested) return;
    current.cancelRequested = true;
    this.#o.executor.cancel(current.runId);
  }

  async #fetchUploads(workflow: WorkflowDocument): Promise<void> {
    const cache = this.#o.uploadCache;
    if (!cache) return;
    for (const id of uploadsOf(workflow)) {
      if (await cache.read(id)) continue;
      const upload = await this.#store.readUpload(id);
      if (upload) await cache.put(upload.bytes, upload.name, upload.mediaType);
    }
  }

  #advertise(): Promise<void> {
    const every = this.#o.heartbeatMs ?? 5000;
    const info: WorkerInfo = {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      provider: this.#o.provider,
      packs: this.#o.packs,
      startedAt: this.#startedAt,
      done: this.#done,
      ...(this.#current ? { runId: this.#current.runId } : {}),
    };
    return advertiseWorker(this.#redis, this.#keys, info, Math.ceil((3 * every) / 1000));
  }
}
