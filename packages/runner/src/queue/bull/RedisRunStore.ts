import type {
  RunBatch,
  RunDetail,
  RunEvent,
  RunFailure,
  RunOutput,
  RunRecord,
  RunRequestOptions,
  RunStatus,
  WorkflowDocument,
} from '@ptp/graph-core';
import type { Redis } from 'ioredis';
import type { RunMetric } from '../../worker/collectMetrics.js';
import type { RunListOptions } from '../RunQueue.js';
import { encodeNotice, eventNotice, statusNotice } from './noticeCodec.js';
import type { RedisKeys } from './redisConnection.js';
import { scriptSource, RUN_SCRIPTS, type RunScriptName } from './runScripts.js';

type ScriptFn = (...args: (string | number | Buffer)[]) => Promise<unknown>;

/** One attempt at a run: which worker started it, when. */
export interface RunAttempt {
  token: string;
  worker: string;
  host: string;
  pid: number;
  startedAt: string;
}

export type BeginResult =
  | { kind: 'run'; lastSeq: number; workflow: WorkflowDocument; options: RunRequestOptions; attempt: number }
  | { kind: 'final'; status: RunStatus }
  | { kind: 'missing' };

export interface NewRun {
  id: string;
  name: string;
  options: RunRequestOptions;
  workflow: WorkflowDocument;
  createdAt: string;
  route: string;
  clientRequestId?: string | undefined;
  resubmittedFrom?: string | undefined;
  batch?: RunBatch | undefined;
  /** Ahead of every waiting run. */
  front?: boolean | undefined;
  seeds?: number[] | undefined;
}

const TERMINAL = new Set(['success', 'error', 'interrupted']);
/** A search reads runs in pages of this many, up to SEARCH_SCAN runs back. */
const SEARCH_PAGE = 500;
const SEARCH_SCAN = 20_000;

/**
 * Run records, events and outputs in Redis: what the embedded queue keeps in SQLite, shared here
 * by every server, sweep and worker. All state changes go through the Lua scripts in
 * runScripts.ts; this class turns them into typed calls and hashes into RunRecords.
 */
export class RedisRunStore {
  readonly #redis: Redis;
  readonly keys: RedisKeys;

  constructor(redis: Redis, keys: RedisKeys) {
    this.#redis = redis;
    this.keys = keys;
    for (const name of Object.keys(RUN_SCRIPTS) as RunScriptName[]) {
      if (!(`ptp_${name}` in redis)) redis.defineCommand(`ptp_${name}`, { numberOfKeys: 0, lua: scriptSource(name) });
    }
  }

  #script(name: RunScriptName): ScriptFn {
    const fn = (this.#redis as unknown as Record<string, ScriptFn>)[`ptp_${name}`]!;
    return fn.bind(this.#redis);
  }

  get #p(): string {
    return this.keys.prefix;
  }

  /** The run an earlier submit with this clientRequestId created, if any. */
  async byClientRequestId(clientRequestId: string): Promise<string | undefined> {
    return (await this.#redis.get(`${this.#p}:req:${clientRequestId}`)) ?? undefined;
  }

  /** Creates a queued run, or answers the earlier run with the same clientRequestId. */
  async insert(run: NewRun): Promise<{ id: string; duplicate: boolean }> {
    const fields: string[] = [
      'id',
      run.id,
      'name',
      run.name,
      'options',
      JSON.stringify(run.options),
      'workflow',
      JSON.stringify(run.workflow),
      'createdAt',
      run.createdAt,
      'route',
      run.route,
      'outputs',
      '[]',
    ];
    if (run.clientRequestId) fields.push('clientRequestId', run.clientRequestId);
    if (run.resubmittedFrom) fields.push('resubmittedFrom', run.resubmittedFrom);
    if (run.batch) fields.push('batch', JSON.stringify(run.batch));
    if (run.seeds?.length) fields.push('seeds', JSON.stringify(run.seeds));
    const [fresh, id] = (await this.#script('submit')(
      this.#p,
      run.id,
      run.clientRequestId ?? '',
      statusNotice(run.id),
      run.front ? '1' : '',
      ...fields,
    )) as [number, string];
    return { id, duplicate: fresh === 0 };
  }

  async begin(
    runId: string,
    token: string,
    attempt: Omit<RunAttempt, 'token'>,
    cancelError: RunFailure,
  ): Promise<BeginResult> {
    const r = (await this.#script('begin')(
      this.#p,
      runId,
      token,
      JSON.stringify({ token, ...attempt }),
      attempt.startedAt,
      statusNotice(runId),
      JSON.stringify(cancelError),
    )) as string[];
    if (r[0] === 'missing') return { kind: 'missing' };
    if (r[0] === 'final') return { kind: 'final', status: r[1] as RunStatus };
    return {
      kind: 'run',
      lastSeq: Number(r[1]),
      workflow: JSON.parse(r[2]!) as WorkflowDocument,
      options: JSON.parse(r[3]!) as RunRequestOptions,
      attempt: Number(r[4]),
    };
  }

  /** 1 appended; 0 the attempt lost the run; -1 out of order. The live notice carries the preview. */
  async append(runId: string, token: string, event: RunEvent): Promise<number> {
    const { stored, notice } = eventNotice(event);
    const progress =
      event.type === 'progress'
        ? JSON.stringify({ nodeId: event.nodeId, value: event.value, max: event.max })
        : event.type === 'node_executed'
          ? '-'
          : '';
    return Number(await this.#script('append')(this.#p, runId, token, event.seq, stored, event.type, progress, notice));
  }

  /**
   * For a final run whose worker never sent a terminal event (it died, or never started): adds
   * `run_started` when there was nothing, then `interrupted`, so followers see the stream end.
   */
  async #closeStream(runId: string, now = Date.now()): Promise<void> {
    const record = await this.get(runId);
    if (!record || !['failed', 'cancelled', 'interrupted'].includes(record.status)) return;
    for (const event of closingEvents(record, now)) {
      const { stored, notice } = eventNotice(event);
      if (Number(await this.#script('appendClosing')(this.#p, runId, event.seq, stored, event.type, notice)) !== 1)
        return;
    }
  }

  /**
   * Moves a run to its final state; false when it already was final or another attempt holds it.
   * With `close`, the stream gets its terminal events in the same step (the run's executor died
   * or never ran, so nothing else will send them): a reader never sees the run final with its
   * stream still open.
   */
  async finish(
    runId: string,
    token: string,
    status: RunStatus,
    at: string,
    failure?: RunFailure,
    outputs: RunOutput[] = [],
    close = false,
  ): Promise<boolean> {
    const closing: (string | number | Buffer)[] = [];
    const before = close ? await this.get(runId) : undefined;
    if (before) {
      const events = closingEvents(before, Date.now());
      closing.push(events[0]!.seq);
      for (const event of events) {
        const { stored, notice } = eventNotice(event);
        closing.push(stored, event.type, notice);
      }
    }
    const result = Number(
      await this.#script('finish')(
        this.#p,
        runId,
        token,
        status,
        at,
        failure ? JSON.stringify(failure) : '',
        JSON.stringify(outputs),
        statusNotice(runId),
        ...closing,
      ),
    );
    // The stream moved on between reading it and finishing (a last event of the dying attempt).
    if (result === 2) await this.#closeStream(runId);
    return result !== 0;
  }

  /** Whether the queue is paused (shared by every server and worker on this Redis). */
  async paused(): Promise<boolean> {
    return (await this.#redis.exists(this.keys.paused)) === 1;
  }

  /** Pauses or resumes, and tells every server and worker. */
  async setPaused(paused: boolean): Promise<void> {
    await (paused ? this.#redis.set(this.keys.paused, '1') : this.#redis.del(this.keys.paused));
    await this.#redis.publish(this.keys.notices, encodeNotice({ k: 'queue' }));
  }

  async requeue(runId: string, token: string): Promise<boolean> {
    return Number(await this.#script('requeue')(this.#p, runId, token, statusNotice(runId))) === 1;
  }

  async cancel(runId: string, at: string): Promise<'cancelled' | 'requested' | 'missing' | RunStatus> {
    const failure: RunFailure = { code: 'INTERRUPTED', message: 'cancelled before it started' };
    return (await this.#script('cancel')(
      this.#p,
      runId,
      at,
      JSON.stringify(failure),
      statusNotice(runId),
      encodeNotice({ k: 'cancel', runId }),
    )) as never;
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const [record] = await this.getMany([runId]);
    return record;
  }

  async detail(runId: string): Promise<RunDetail | undefined> {
    const [hash, rank] = await Promise.all([
      this.#redis.hgetall(this.keys.run(runId)),
      this.#redis.zrank(this.keys.runs('queued'), runId),
    ]);
    if (!hash.id) return undefined;
    return { ...toRecord(hash, rank), workflow: JSON.parse(hash.workflow ?? '{}') as Record<string, unknown> };
  }

  /** Records in the order asked; missing ids are left out. */
  async getMany(ids: readonly string[]): Promise<RunRecord[]> {
    if (!ids.length) return [];
    const pipe = this.#redis.pipeline();
    for (const id of ids) {
      pipe.hgetall(this.keys.run(id));
      pipe.zrank(this.keys.runs('queued'), id);
    }
    const replies = (await pipe.exec()) ?? [];
    const out: RunRecord[] = [];
    for (let i = 0; i < ids.length; i++) {
      const hash = replies[2 * i]?.[1] as Record<string, string> | undefined;
      if (hash?.id) out.push(toRecord(hash, replies[2 * i + 1]?.[1] as number | null));
    }
    return out;
  }

  /** The route (BullMQ queue) a run was queued on. */
  async route(runId: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.keys.run(runId), 'route')) ?? undefined;
  }

  async cancelRequested(runId: string): Promise<boolean> {
    return (await this.#redis.hget(this.keys.run(runId), 'cancel')) === '1';
  }

  /**
   * Newest first, from the run `before` on; `q` (name or id, case-insensitive) and `batch` are
   * matched here, scanning at most SEARCH_SCAN runs, which a history of a few thousand runs stays
   * within (a batch's runs are queued together, so they sit close to each other).
   */
  async list(query: RunListOptions): Promise<RunRecord[]> {
    const key = this.keys.runs(query.status);
    let max = '+inf';
    if (query.before) {
      // A status set's score is the submission order, except a front run's place in the queued set.
      const score =
        (await this.#redis.zscore(key, query.before)) ?? (await this.#redis.zscore(this.keys.runs(), query.before));
      if (score === null) return [];
      max = `(${score}`;
    }
    if (!query.q && !query.batch)
      return this.getMany(await this.#redis.zrevrangebyscore(key, max, '-inf', 'LIMIT', 0, query.limit));
    const q = query.q?.toLowerCase() ?? '';
    const matches = (r: RunRecord) =>
      (!query.batch || r.batch?.id === query.batch) &&
      (!q || r.name.toLowerCase().includes(q) || r.id.toLowerCase().includes(q));
    const found: RunRecord[] = [];
    for (let offset = 0; offset < SEARCH_SCAN && found.length < query.limit; offset += SEARCH_PAGE) {
      const ids = await this.#redis.zrevrangebyscore(key, max, '-inf', 'LIMIT', offset, SEARCH_PAGE);
      for (const r of await this.getMany(ids)) if (matches(r)) found.push(r);
      if (ids.length < SEARCH_PAGE) break;
    }
    return found.slice(0, query.limit);
  }

  /** Removes a final run with its events, attempts, metrics and outputs; false when unknown or not final. */
  async delete(runId: string): Promise<boolean> {
    const [record] = await this.getMany([runId]);
    if (!record || record.status === 'queued' || record.status === 'running') return false;
    const pipe = this.#redis.multi();
    pipe.del(this.keys.run(runId), this.keys.events(runId), this.keys.attempts(runId), this.keys.metrics(runId));
    for (const o of record.outputs) pipe.del(this.keys.output(runId, o.name));
    if (record.clientRequestId) pipe.del(this.keys.request(record.clientRequestId));
    pipe.zrem(this.keys.runs(), runId);
    pipe.zrem(this.keys.runs(record.status), runId);
    await pipe.exec();
    return true;
  }

  /** Oldest first: for recovery passes. */
  async idsWithStatus(status: RunStatus, limit = 10_000): Promise<string[]> {
    return this.#redis.zrange(this.keys.runs(status), '0', String(limit - 1));
  }

  async count(status: RunStatus): Promise<number> {
    return this.#redis.zcard(this.keys.runs(status));
  }

  async events(runId: string, afterSeq: number): Promise<RunEvent[]> {
    const raw = await this.#redis.lrange(this.keys.events(runId), Math.max(0, afterSeq + 1), -1);
    return raw.map((r) => JSON.parse(r) as RunEvent);
  }

  async attempts(runId: string): Promise<RunAttempt[]> {
    return (await this.#redis.lrange(this.keys.attempts(runId), 0, -1)).map((r) => JSON.parse(r) as RunAttempt);
  }

  async putOutput(runId: string, name: string, data: Uint8Array, ttlS: number): Promise<void> {
    await this.#redis.set(
      this.keys.output(runId, name),
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      'EX',
      ttlS,
    );
  }

  async readOutput(runId: string, name: string): Promise<Uint8Array | undefined> {
    const data = await this.#redis.getBuffer(this.keys.output(runId, name));
    return data ? new Uint8Array(data) : undefined;
  }

  /** METRICS outputs of a finished run; non-finite numbers (PSNR of identical pixels) survive the trip. */
  async putMetrics(runId: string, metrics: readonly RunMetric[], ttlS: number): Promise<void> {
    await this.#redis.set(
      this.keys.metrics(runId),
      JSON.stringify(metrics, (_k, v: unknown) =>
        typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v,
      ),
      'EX',
      ttlS,
    );
  }

  async readMetrics(runId: string): Promise<RunMetric[]> {
    const raw = await this.#redis.get(this.keys.metrics(runId));
    if (!raw) return [];
    return JSON.parse(raw, (_k, v: unknown) =>
      v && typeof v === 'object' && '$num' in v ? Number((v as { $num: string }).$num) : v,
    ) as RunMetric[];
  }

  /** Uploads travel through Redis so workers on other machines read the same bytes (content-addressed). */
  async putUpload(
    id: string,
    upload: { name: string; mediaType: string; bytes: Uint8Array },
    ttlS: number,
  ): Promise<void> {
    const key = this.keys.upload(id);
    if (await this.#redis.exists(key)) {
      await this.#redis.expire(key, ttlS);
      return;
    }
    await this.#redis
      .multi()
      .hset(key, 'name', upload.name, 'mediaType', upload.mediaType, 'data', Buffer.from(upload.bytes))
      .expire(key, ttlS)
      .exec();
  }

  async readUpload(id: string): Promise<{ name: string; mediaType: string; bytes: Uint8Array } | undefined> {
    const [name, mediaType, data] = await this.#redis.hmgetBuffer(this.keys.upload(id), 'name', 'mediaType', 'data');
    if (!name || !mediaType || !data) return undefined;
    return { name: name.toString('utf8'), mediaType: mediaType.toString('utf8'), bytes: new Uint8Array(data) };
  }
}

/** `run_started` when the stream is empty, then `interrupted` at the node it was running. */
function closingEvents(record: RunRecord, now: number): RunEvent[] {
  let seq = record.lastSeq + 1;
  const base = { runId: record.id, time: now };
  const events: RunEvent[] = [];
  if (seq === 0) events.push({ type: 'run_started', ...base, seq: seq++, nodes: [], cached: [], targets: [] });
  events.push({ type: 'interrupted', ...base, seq, ...(record.progress ? { nodeId: record.progress.nodeId } : {}) });
  return events;
}

export function isTerminalEventType(type: string): boolean {
  return TERMINAL.has(type);
}

function toRecord(h: Record<string, string>, queueRank: number | null | undefined): RunRecord {
  const status = h.status as RunStatus;
  return {
    id: h.id!,
    status,
    name: h.name ?? '',
    options: JSON.parse(h.options ?? '{}') as RunRequestOptions,
    createdAt: h.createdAt!,
    ...(h.startedAt ? { startedAt: h.startedAt } : {}),
    ...(h.finishedAt ? { finishedAt: h.finishedAt } : {}),
    ...(status === 'queued' && typeof queueRank === 'number' ? { queuePosition: queueRank } : {}),
    lastSeq: Number(h.lastSeq ?? -1),
    ...(status === 'running' && h.progress
      ? { progress: JSON.parse(h.progress) as NonNullable<RunRecord['progress']> }
      : {}),
    outputs: JSON.parse(h.outputs ?? '[]') as RunOutput[],
    ...(h.error ? { error: JSON.parse(h.error) as RunFailure } : {}),
    ...(h.clientRequestId ? { clientRequestId: h.clientRequestId } : {}),
    ...(h.resubmittedFrom ? { resubmittedFrom: h.resubmittedFrom } : {}),
    ...(h.batch ? { batch: JSON.parse(h.batch) as RunBatch } : {}),
    ...(h.seeds ? { seeds: JSON.parse(h.seeds) as number[] } : {}),
  };
}
