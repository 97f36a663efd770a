import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent, WorkflowDocumentInput } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQueueOrder } from '../../server/QueueOrderFeed.js';
import { cancelBatch, cancelWaiting } from '../cancelRuns.js';
import { prepareRun } from '../prepareRun.js';
import type { QueueNotice } from '../RunQueue.js';
import { BullRunQueue } from './BullRunQueue.js';
import { RedisKeys } from './redisConnection.js';
import { RedisRunStore } from './RedisRunStore.js';
import { RedisServer } from './RedisServer.js';
import { routeQueueName } from './runRoute.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const registry = createNodeRegistry();
const keys = new RedisKeys('t');

let redis: RedisServer;
let queue: BullRunQueue;
let raw: Redis;
let store: RedisRunStore;

const promptDoc = (text: string): WorkflowDocumentInput => ({
  schemaVersion: 3,
  metadata: { name: `prompt ${text}`, description: '', tags: [] },
  nodes: [
    { id: 'p', type: 'ptp.prompt', typeVersion: 1, params: { text } },
    { id: 'show', type: 'ptp.showValue', typeVersion: 1, params: {} },
  ],
  edges: [{ from: { node: 'p', output: 'prompt' }, to: { node: 'show', input: 'value' } }],
});

type SubmitExtra = { clientRequestId?: string; provider?: 'cpu'; front?: boolean };

function prepared(workflow: WorkflowDocumentInput, extra: SubmitExtra = {}) {
  const p = prepareRun(
    {
      workflow,
      options: extra.provider ? { provider: extra.provider } : {},
      ...(extra.clientRequestId ? { clientRequestId: extra.clientRequestId } : {}),
      ...(extra.front ? { front: true } : {}),
    },
    registry,
  );
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

async function submit(workflow: WorkflowDocumentInput, extra: SubmitExtra = {}) {
  const r = await queue.submit(prepared(workflow, extra));
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  // No reconcile timer in the way: the tests call reconcile() themselves.
  queue = new BullRunQueue({ redis: { url: redis.url, prefix: 't' }, registry, reconcileIntervalMs: 3_600_000 });
  await queue.start();
  raw = new Redis(redis.url, { maxRetriesPerRequest: null });
  store = new RedisRunStore(raw, keys);
});
afterAll(async () => {
  await queue?.close();
  raw?.disconnect();
  await redis?.stop();
});

describe('BullRunQueue on a real redis-server (no workers)', () => {
  it('queues one BullMQ job per run on its route; a repeated clientRequestId answers the first run', async () => {
    const generate = JSON.parse(
      readFileSync(path.join(repoRoot, 'examples/tiny-generate.json'), 'utf8'),
    ) as WorkflowDocumentInput;
    const a = await submit(generate, { clientRequestId: 'req-1' });
    expect(a.duplicate).toBe(false);
    expect(a.run).toMatchObject({
      status: 'queued',
      lastSeq: -1,
      clientRequestId: 'req-1',
      queuePosition: expect.any(Number),
      seeds: [generate.nodes.find((n) => n.id === 'sample')!.params?.seed ?? 0],
    });
    const again = await submit(generate, { clientRequestId: 'req-1' });
    expect(again).toMatchObject({ duplicate: true, run: { id: a.run.id } });
    expect([await queue.submitted('req-1'), await queue.submitted('req-2')]).toEqual([true, false]);
    const b = await submit(promptDoc('no model'), { provider: 'cpu' });

    const pack = generate.nodes.find((n) => n.type === 'ptp.loadModel')!.params!.pack as string;
    expect(await store.route(a.run.id)).toBe(`any~${pack}`);
    expect(await store.route(b.run.id)).toBe('cpu~-');
    expect(
      await new Queue(routeQueueName(`any~${pack}`), { connection: raw, prefix: keys.bull }).getJobState(a.run.id),
    ).toBe('waiting');
    expect((await queue.list({ status: 'queued', limit: 10 })).map((r) => r.id)).toEqual([b.run.id, a.run.id]);
    expect((await queue.get(b.run.id))?.queuePosition).toBe(1);
    expect((await queue.get(a.run.id))?.seeds).toEqual(a.run.seeds);
    expect((await queue.get(b.run.id))?.seeds).toBeUndefined();
    expect(await queue.get('run_unknown')).toBeUndefined();
    expect(await queue.events('run_unknown', -1)).toBeUndefined();
    expect(await queue.stats()).toMatchObject({ queued: 2, running: 0, worker: { alive: false } });
  });

  it("keeps a run's batch and lists one batch (newest first), the runs between left out", async () => {
    const batched = async (text: string, index: number) => {
      const p = prepareRun({ workflow: promptDoc(text), options: {}, batch: { id: 'bt1', index, size: 2 } }, registry);
      if (!p.ok) throw new Error(p.error.message);
      const r = await queue.submit(p.value);
      if (!r.ok) throw new Error(r.error.message);
      return r.value.run;
    };
    // Words with letters outside hex, so a search can never match a random run id.
    const first = await batched('batch zero', 0);
    await submit(promptDoc('between'));
    const second = await batched('batch one', 1);
    expect(second.batch).toEqual({ id: 'bt1', index: 1, size: 2 });
    expect((await queue.list({ limit: 10, batch: 'bt1' })).map((r) => [r.id, r.batch?.index])).toEqual([
      [second.id, 1],
      [first.id, 0],
    ]);
    expect((await queue.list({ limit: 10, batch: 'bt1', q: 'zero' })).map((r) => r.id)).toEqual([first.id]);
    // What is left of the batch is cancelled in one call, later runs first; the run between stays.
    expect(await cancelBatch(queue, 'bt1')).toEqual({
      ok: true,
      value: { batch: 'bt1', cancelled: [second.id, first.id], final: 0 },
    });
    expect((await queue.list({ limit: 10, batch: 'bt1' })).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    expect((await queue.list({ limit: 10, q: 'between' })).map((r) => r.status)).toEqual(['queued']);
    expect(await cancelBatch(queue, 'bt1')).toMatchObject({ ok: true, value: { cancelled: [], final: 2 } });
    expect(await cancelBatch(queue, 'bt-none')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_BATCH' } });
  });

  it('cancels a queued run at once (its job removed), refuses unknown runs, resubmits as a new run', async () => {
    const notices: QueueNotice[] = [];
    const off = queue.subscribe((n) => notices.push(n));
    const { run } = await submit(promptDoc('to cancel'));
    const cancelled = await queue.cancel(run.id);
    expect(cancelled).toMatchObject({ ok: true, value: { status: 'cancelled', error: { code: 'INTERRUPTED' } } });
    expect(await new Queue(routeQueueName('any~-'), { connection: raw, prefix: keys.bull }).getJobState(run.id)).toBe(
      'unknown',
    );
    expect(await queue.cancel('run_nope')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RUN' } });
    const again = await queue.resubmit(run.id);
    expect(again).toMatchObject({
      ok: true,
      value: { duplicate: false, run: { status: 'queued', resubmittedFrom: run.id } },
    });
    expect(await queue.resubmit(again.ok ? again.value.run.id : '')).toMatchObject({
      ok: false,
      error: { code: 'NOT_RESUBMITTABLE' },
    });
    // Status notices travel through Redis pub/sub back to this instance.
    await expect
      .poll(() =>
        notices
          .filter((n) => n.kind === 'status' && n.run.id === run.id)
          .map((n) => n.kind === 'status' && n.run.status),
      )
      .toEqual(['queued', 'cancelled']);
    off();
  });

  it('only the attempt holding the run appends events; a retried attempt continues the stream; a final state is never overwritten', async () => {
    const { run } = await submit(promptDoc('attempts'));
    const worker = { worker: 'w', host: 'h', pid: 1, startedAt: new Date().toISOString() };
    const cancelError = { code: 'INTERRUPTED', message: 'cancelled' };
    const live: RunEvent[] = [];
    const off = queue.subscribe((n) => n.kind === 'event' && n.runId === run.id && live.push(n.event));
    const first = await store.begin(run.id, 'tok-1', worker, cancelError);
    expect(first).toMatchObject({ kind: 'run', lastSeq: -1, attempt: 1 });
    const ev = (seq: number, type: 'run_started' | 'progress' = 'progress'): RunEvent =>
      type === 'run_started'
        ? { type, runId: run.id, seq, time: 0, nodes: ['p'], cached: [], targets: [] }
        : {
            type,
            runId: run.id,
            seq,
            time: 0,
            nodeId: 'p',
            value: seq,
            max: 9,
            preview: { mime: 'image/png', data: new Uint8Array([seq, 255, 0]) },
          };
    expect(await store.append(run.id, 'tok-1', ev(0, 'run_started'))).toBe(1);
    expect(await store.append(run.id, 'tok-1', ev(1))).toBe(1);
    expect(await store.append(run.id, 'tok-1', ev(3))).toBe(-1); // out of order
    expect(await store.append(run.id, 'tok-x', ev(2))).toBe(0); // not its run
    expect((await queue.get(run.id))?.progress).toEqual({ nodeId: 'p', value: 1, max: 9 });

    // The first attempt is presumed dead; a second one takes over and continues at seq 2.
    expect(await store.begin(run.id, 'tok-2', worker, cancelError)).toMatchObject({
      kind: 'run',
      lastSeq: 1,
      attempt: 2,
    });
    expect(await store.append(run.id, 'tok-1', ev(2))).toBe(0);
    expect(await store.append(run.id, 'tok-2', ev(2, 'run_started'))).toBe(1);
    expect(await store.finish(run.id, 'tok-1', 'succeeded', new Date().toISOString())).toBe(false);
    expect(
      await store.finish(run.id, 'tok-2', 'succeeded', new Date().toISOString(), undefined, [
        { name: 'a.png', nodeId: 'p', mime: 'image/png', size: 3 },
      ]),
    ).toBe(true);
    expect(await store.finish(run.id, '', 'failed', new Date().toISOString())).toBe(false);
    expect(await queue.get(run.id)).toMatchObject({ status: 'succeeded', lastSeq: 2 });
    expect((await queue.events(run.id, 0))!.map((e) => e.seq)).toEqual([1, 2]);
    // Stored events carry no preview bytes; live ones do, intact.
    expect((await queue.events(run.id, -1))!.some((e) => e.type === 'progress' && 'preview' in e)).toBe(false);
    await expect.poll(() => live.length).toBe(3);
    expect(live[1]).toMatchObject({
      type: 'progress',
      preview: { mime: 'image/png', data: new Uint8Array([1, 255, 0]) },
    });
    expect(await queue.readOutput(run.id, 'a.png')).toBeUndefined(); // recorded but its bytes expired or never stored
    await store.putOutput(run.id, 'a.png', new Uint8Array([1, 2, 3]), 60);
    expect((await queue.readOutput(run.id, 'a.png'))?.data).toEqual(new Uint8Array([1, 2, 3]));
    expect(await queue.readOutput(run.id, '../a.png')).toBeUndefined();
    off();
  });

  it('a run ended for its dead executor is final and its stream closed in one step, at the node it was running', async () => {
    const worker = { worker: 'w', host: 'h', pid: 1, startedAt: new Date().toISOString() };
    const cancelError = { code: 'INTERRUPTED', message: 'cancelled' };
    const { run } = await submit(promptDoc('dies'));
    await store.begin(run.id, 'tok-1', worker, cancelError);
    expect(
      await store.append(run.id, 'tok-1', {
        type: 'run_started',
        runId: run.id,
        seq: 0,
        time: 0,
        nodes: ['p'],
        cached: [],
        targets: [],
      }),
    ).toBe(1);
    expect(
      await store.append(run.id, 'tok-1', {
        type: 'progress',
        runId: run.id,
        seq: 1,
        time: 0,
        nodeId: 'p',
        value: 1,
        max: 9,
      }),
    ).toBe(1);
    // Whoever reads the record as final reads the terminal event with it (no window between the two).
    const seen: string[] = [];
    const off = queue.subscribe((n) => {
      if (n.kind === 'event' && n.runId === run.id && n.event.seq > 1) seen.push(n.event.type);
      if (n.kind === 'status' && n.run.id === run.id) seen.push(n.run.status);
    });
    const failure = { code: 'WORKER_CRASHED', message: 'exited (SIGKILL)' };
    expect(await store.finish(run.id, 'tok-1', 'failed', new Date().toISOString(), failure, [], true)).toBe(true);
    expect(await queue.get(run.id)).toMatchObject({ status: 'failed', lastSeq: 2 });
    expect((await queue.events(run.id, 1))!).toMatchObject([{ type: 'interrupted', seq: 2, nodeId: 'p' }]);
    // Followers hear the stream end before the status that says so.
    await expect.poll(() => seen).toEqual(['interrupted', 'failed']);
    off();
    // Already final: nothing more is appended.
    expect(await store.finish(run.id, '', 'interrupted', new Date().toISOString(), undefined, [], true)).toBe(false);
    expect(await queue.get(run.id)).toMatchObject({ status: 'failed', lastSeq: 2 });

    // A run that never started gets run_started then interrupted.
    const { run: idle } = await submit(promptDoc('never ran'));
    expect(await store.finish(idle.id, '', 'interrupted', new Date().toISOString(), undefined, [], true)).toBe(true);
    expect((await queue.events(idle.id, -1))!.map((e) => [e.seq, e.type])).toEqual([
      [0, 'run_started'],
      [1, 'interrupted'],
    ]);
  });

  it('reconcile: a queued run without its job gets one; a running run whose job BullMQ failed ends failed with the reason; one whose job vanished ends interrupted', async () => {
    const lost = await submit(promptDoc('lost job'));
    const bull = new Queue(routeQueueName('any~-'), { connection: raw, prefix: keys.bull });
    await bull.remove(lost.run.id);
    await queue.reconcile();
    expect(await bull.getJobState(lost.run.id)).toBe('waiting');

    // Take every waiting job as a worker would, then fail one for good and delete another.
    const worker = new Worker(routeQueueName('any~-'), null, { connection: raw, prefix: keys.bull, autorun: false });
    const taken = [];
    for (
      let job = await worker.getNextJob('tok', { block: false });
      job;
      job = await worker.getNextJob('tok', { block: false })
    )
      taken.push(job);
    const failing = taken.find((j) => j.id === lost.run.id)!;
    const vanishing = taken.find((j) => j.id !== lost.run.id)!;
    for (const j of [failing, vanishing])
      await store.begin(
        j.id!,
        'tok',
        { worker: 'w', host: 'h', pid: 1, startedAt: new Date().toISOString() },
        { code: 'INTERRUPTED', message: 'x' },
      );
    await failing.moveToFailed(new UnrecoverableError('job stalled more than allowable limit'), 'tok', false);
    await raw.del(`${keys.bull}:${routeQueueName('any~-')}:${vanishing.id}`);
    await raw.lrem(`${keys.bull}:${routeQueueName('any~-')}:active`, 0, vanishing.id!);
    await worker.close(true);

    await queue.reconcile();
    expect(await queue.get(failing.id!)).toMatchObject({
      status: 'failed',
      error: { code: 'WORKER_CRASHED', message: expect.stringContaining('job stalled more than allowable limit') },
    });
    expect((await queue.events(failing.id!, -1))!.map((e) => e.type)).toEqual(['run_started', 'interrupted']);
    expect(await queue.get(vanishing.id!)).toMatchObject({ status: 'interrupted', error: { code: 'INTERRUPTED' } });
  });
});

describe('BullRunQueue history', () => {
  it('searches names and ids, pages by cursor, deletes final runs with their keys and says so', async () => {
    const runs = [];
    for (const text of ['alpha one', 'beta two', 'alpha three']) runs.push((await submit(promptDoc(text))).run);
    const notices: QueueNotice[] = [];
    const stop = queue.subscribe((n) => notices.push(n));
    try {
      const alphas = await queue.list({ limit: 10, q: 'PROMPT ALPHA' });
      expect(alphas.map((r) => r.id)).toEqual([runs[2]!.id, runs[0]!.id]);
      expect((await queue.list({ limit: 10, q: runs[1]!.id })).map((r) => r.id)).toEqual([runs[1]!.id]);
      const page = await queue.list({ limit: 2 });
      const next = await queue.list({ limit: 2, before: page.at(-1)!.id });
      expect(next.some((r) => page.some((p) => p.id === r.id))).toBe(false);
      expect(await queue.list({ limit: 2, before: 'run_unknown' })).toEqual([]);

      // Queued runs are refused; cancelled ones go, events and all.
      expect(await queue.delete(runs[1]!.id)).toMatchObject({ ok: false, error: { code: 'NOT_DELETABLE' } });
      expect((await queue.cancel(runs[1]!.id)).ok).toBe(true);
      expect(await queue.delete(runs[1]!.id)).toEqual({ ok: true, value: { id: runs[1]!.id } });
      expect(await queue.get(runs[1]!.id)).toBeUndefined();
      expect(await raw.exists(keys.run(runs[1]!.id), keys.events(runs[1]!.id))).toBe(0);
      expect((await queue.list({ limit: 100 })).map((r) => r.id)).not.toContain(runs[1]!.id);
      expect(notices).toContainEqual({ kind: 'deleted', runId: runs[1]!.id });
      expect(await queue.delete(runs[1]!.id)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RUN' } });
    } finally {
      stop();
    }
  });

  it('cancels every waiting run in one call, newest first, and only those', async () => {
    const runs = [];
    for (const text of ['wait one', 'wait two']) runs.push((await submit(promptDoc(text))).run);
    const waiting = await queue.list({ status: 'queued', limit: 500 });
    expect(waiting.map((r) => r.id).slice(0, 2)).toEqual([runs[1]!.id, runs[0]!.id]);
    const finished = (await queue.list({ limit: 500 })).filter((r) => r.status !== 'queued');
    const result = await cancelWaiting(queue, 1000);
    expect(result.cancelled).toEqual(waiting.map((r) => r.id));
    expect(await queue.list({ status: 'queued', limit: 500 })).toEqual([]);
    // Runs that had ended keep their state.
    for (const r of finished) expect((await queue.get(r.id))?.status).toBe(r.status);
    expect(await cancelWaiting(queue, 1000)).toEqual({ cancelled: [] });
  });

  it('queues a front run ahead of the waiting ones: its place, its list order and the job a worker takes next', async () => {
    const a = (await submit(promptDoc('front a'))).run;
    const b = (await submit(promptDoc('front b'))).run;
    const f = (await submit(promptDoc('front f'), { front: true })).run;
    expect(f.queuePosition).toBe(0);
    expect(await Promise.all([f, a, b].map(async (r) => (await queue.get(r.id))?.queuePosition))).toEqual([0, 1, 2]);
    // The queued list pages by place, without losing or repeating the front run.
    const first = await queue.list({ status: 'queued', limit: 2 });
    const rest = await queue.list({ status: 'queued', limit: 2, before: first.at(-1)!.id });
    expect([...first, ...rest].map((r) => r.id)).toEqual([b.id, a.id, f.id]);
    // Queue followers are told the start order, whatever order the list pages in.
    expect(await readQueueOrder(queue, 1000)).toEqual({ waiting: [f.id, a.id, b.id], total: 3, paused: false });
    const worker = new Worker(routeQueueName('any~-'), null, { connection: raw, prefix: keys.bull, autorun: false });
    const job = await worker.getNextJob('tok-front', { block: false });
    expect(job?.id).toBe(f.id);
    await worker.close(true);
    expect((await cancelWaiting(queue, 1000)).cancelled).toEqual([b.id, a.id, f.id]);
  });
});
