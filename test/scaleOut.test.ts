import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDocument, type RunEvent, type RunRecord, type WorkflowDocumentInput } from '@ptp/graph-core';
import { createNodeRegistry, encodePng } from '@ptp/nodes';
import { main } from '@ptp/runner/cli/main';
import { StudioClient, type RunPreview } from '@ptp/graph-core/client';
import { BullRunQueue } from '@ptp/runner/queue/bull/BullRunQueue';
import { RedisServer } from '@ptp/runner/queue/bull/RedisServer';
import { startWorkers, type WorkerProcess } from '@ptp/runner/queue/bull/WorkerProcess';
import { prepareRun } from '@ptp/runner/queue/prepareRun';
import { createStudioServer, type StudioServer } from '@ptp/runner/server/createStudioServer';
import { SweepResults } from '@ptp/runner/sweep/SweepResults';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';
import { nodes as testNodes } from './support/scaleOutTestNodes.js';
import { tempDataDir, tickerWorkflow } from './support/studioServer.js';

const TEST_NODES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support/scaleOutTestNodes.ts');
// Short lock and stall check so a dead worker is noticed in seconds (production: 30 s each).
// One onnxruntime thread each: three workers share two cores.
const WORKER_ARGS = [
  '--lock-ms',
  '3000',
  '--stalled-ms',
  '1000',
  '--poll-ms',
  '200',
  '--drain-timeout',
  '2',
  '--threads',
  '1',
  '--node-module',
  TEST_NODES,
];
const registry = createNodeRegistry(testNodes);

let redis: RedisServer;
let workers: WorkerProcess[] = [];
let queue: BullRunQueue;

/** The study's word-swap edit on the tiny pack with 2 steps: a real model graph with metrics, cheap. */
function sweepWorkflowFile(): string {
  const doc = JSON.parse(
    readFileSync(path.join(repoRoot, 'examples/study-word-swap.json'), 'utf8'),
  ) as WorkflowDocumentInput;
  const capture = doc.nodes.find((n) => n.id === 'capture')!;
  capture.params = { ...capture.params, steps: 2 };
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ptp-scaleout-')), 'tiny-word-swap.json');
  writeFileSync(file, JSON.stringify(doc));
  return file;
}

function quietIo() {
  const lines: string[] = [];
  return { lines, io: { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) } };
}

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}\n${workers.map((w) => `--- ${w.id}\n${w.output.slice(-2000)}`).join('\n')}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function submit(workflow: WorkflowDocumentInput): Promise<RunRecord> {
  const prepared = prepareRun({ workflow, options: {} }, registry);
  if (!prepared.ok) throw new Error(prepared.error.message);
  const submitted = await queue.submit(prepared.value);
  if (!submitted.ok) throw new Error(submitted.error.message);
  return submitted.value.run;
}

const finalRun = (id: string, timeoutMs: number) =>
  waitFor(
    `run ${id} to finish`,
    async () => {
      const run = await queue.get(id);
      return run && ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(run.status) ? run : undefined;
    },
    timeoutMs,
  );

const PARAMS = { paramColumns: ['schedule.cross', 'schedule.self', 'capture.seed'] };
const uploadWorkflow = (upload: string): WorkflowDocumentInput => ({
  schemaVersion: 3,
  metadata: { name: 'upload', description: '', tags: [] },
  nodes: [
    { id: 'load', type: 'ptp.loadImage', typeVersion: 1, params: { upload, width: 16, height: 16 } },
    { id: 'save', type: 'ptp.saveImage', typeVersion: 1, params: { prefix: 'uploaded' } },
  ],
  edges: [{ from: { node: 'load', output: 'image' }, to: { node: 'save', input: 'image' } }],
});
const sweepArgs = (file: string, out: string, grids: string[]) => [
  'sweep',
  file,
  ...grids.flatMap((g) => ['--grid', g]),
  '--out',
  out,
  '--redis',
  redis.url,
];

// One Redis and three worker processes for the whole file: starting a worker (tsx, onnxruntime,
// its inference child) takes seconds on this machine, so the cases share them, in this order.
beforeAll(async () => {
  redis = await RedisServer.start();
  workers = await startWorkers(3, redis.url, WORKER_ARGS);
  queue = new BullRunQueue({
    redis: { url: redis.url },
    registry,
    attempts: 2,
    backoffMs: 200,
    reconcileIntervalMs: 500,
  });
  await queue.start();
}, 240_000);

afterAll(async () => {
  await queue?.close();
  await Promise.all(workers.map((w) => w.stop()));
  await redis?.stop();
}, 60_000);

describe('scale-out: BullMQ on a real redis-server, three `ptp worker` processes', () => {
  it('a 24-cell sweep spreads over the workers; every cell is in the results exactly once; a rerun computes nothing', async () => {
    const file = sweepWorkflowFile();
    const out = path.join(path.dirname(file), 'sweep');
    const grids = ['schedule.cross=0.2,0.4,0.6,0.8', 'schedule.self=0.2,0.6,1', 'capture.seed=1,2'];
    const { io, lines } = quietIo();
    expect(await main(sweepArgs(file, out, grids), io), lines.join('\n')).toBe(0);

    const results = (await SweepResults.open(path.join(out, 'results.csv'), PARAMS)).results;
    expect(results).toHaveLength(24);
    expect(new Set(results.map((r) => r.key)).size).toBe(24);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
    expect(results[0]!.metrics).toMatchObject({
      'metrics.iou': expect.any(Number),
      'metrics.ssim': expect.any(Number),
    });
    expect(readFileSync(path.join(out, 'results.md'), 'utf8')).toContain('schedule.cross');
    expect(readFileSync(path.join(out, 'plot.svg'), 'utf8')).toContain('<svg');

    // One run per cell, each executed once, and all three workers took part.
    const runs = (await queue.list({ limit: 500 })).filter((r) => r.clientRequestId?.startsWith('sweep:'));
    expect(runs).toHaveLength(24);
    const attempts = await Promise.all(runs.map((r) => queue.attempts(r.id)));
    expect(attempts.every((a) => a.length === 1)).toBe(true);
    expect(new Set(attempts.map((a) => a[0]!.worker))).toEqual(new Set(['w1', 'w2', 'w3']));

    // Same numbers as the in-process executor for a cell (deterministic on CPU).
    const { io: io2, lines: lines2 } = quietIo();
    const localOut = path.join(path.dirname(file), 'local');
    expect(
      await main(
        [
          'sweep',
          file,
          '--grid',
          'schedule.cross=0.4',
          '--grid',
          'schedule.self=0.6',
          '--grid',
          'capture.seed=2',
          '--out',
          localOut,
        ],
        io2,
      ),
      lines2.join('\n'),
    ).toBe(0);
    const local = (await SweepResults.open(path.join(localOut, 'results.csv'), PARAMS)).results[0]!;
    const remote = results.find(
      (r) => r.params['schedule.cross'] === 0.4 && r.params['schedule.self'] === 0.6 && r.params['capture.seed'] === 2,
    )!;
    expect(remote.metrics).toEqual(local.metrics);

    // Resumable: the same command again finds every cell done and queues nothing.
    const { io: io3, lines: lines3 } = quietIo();
    expect(await main(sweepArgs(file, out, grids), io3)).toBe(0);
    expect(lines3.join('\n')).toContain('0 computed, 24 already done');
    expect((await queue.list({ limit: 500 })).filter((r) => r.clientRequestId?.startsWith('sweep:'))).toHaveLength(24);
  }, 240_000);

  it('Redis restarts mid-sweep: workers and the sweep reconnect and the sweep completes', async () => {
    const file = sweepWorkflowFile();
    const out = path.join(path.dirname(file), 'sweep');
    const { io, lines } = quietIo();
    const sweep = main(sweepArgs(file, out, ['schedule.cross=0.3,0.5,0.7,0.9', 'capture.seed=3,4']), io);
    await waitFor(
      'two finished cells',
      async () => {
        try {
          return readFileSync(path.join(out, 'results.csv'), 'utf8').trim().split('\n').length >= 3;
        } catch {
          return false;
        }
      },
      120_000,
    );
    await redis.restart(1000);
    expect(await sweep, lines.join('\n')).toBe(0);
    const results = (await SweepResults.open(path.join(out, 'results.csv'), PARAMS)).results;
    expect(results).toHaveLength(8);
    expect(new Set(results.map((r) => r.key)).size).toBe(8);
    expect(results.every((r) => r.status === 'ok')).toBe(true);
  }, 240_000);

  it('SIGKILL of a worker mid-run: BullMQ finds the job stalled and another worker completes it', async () => {
    const run = await submit(tickerWorkflow(40, 100, 'kill me'));
    const started = await waitFor(
      'the run to start',
      async () => {
        const [attempt] = await queue.attempts(run.id);
        const record = await queue.get(run.id);
        return attempt && record && record.lastSeq >= 5 ? attempt : undefined;
      },
      60_000,
    );
    const victim = workers.find((w) => w.id === started.worker)!;
    victim.kill('SIGKILL');
    await victim.exited;

    const done = await finalRun(run.id, 60_000);
    expect(done.status).toBe('succeeded');
    const attempts = await queue.attempts(run.id);
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.worker).not.toBe(victim.id);
    // The stream continues across attempts: seqs stay contiguous, the second attempt restarts the graph.
    const events = (await queue.events(run.id, -1))!;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.type === 'run_started')).toHaveLength(2);
    expect(events.at(-1)!.type).toBe('success');
    workers = workers.filter((w) => w !== victim);
  }, 180_000);

  it('pause on one Redis: no worker starts a waiting run until resumed', async () => {
    await queue.setPaused(true);
    try {
      const run = await submit(tickerWorkflow(2, 10, 'paused'));
      expect(await queue.stats()).toMatchObject({ paused: true });
      // Longer than a worker's idle poll (1 s): had one fetched, the run would be running by now.
      await new Promise((r) => setTimeout(r, 2500));
      expect((await queue.get(run.id))!.status).toBe('queued');
      await queue.setPaused(false);
      expect((await finalRun(run.id, 60_000)).status).toBe('succeeded');
    } finally {
      await queue.setPaused(false);
    }
  }, 120_000);

  it('a run that kills its worker every time fails after the bounded attempts, with the error kept', async () => {
    const poison: WorkflowDocumentInput = {
      schemaVersion: 3,
      metadata: { name: 'poison', description: '', tags: [] },
      nodes: [{ id: 'p', type: 'test.poison', typeVersion: 1, params: {} }],
      edges: [],
    };
    const run = await submit(poison);
    const done = await finalRun(run.id, 120_000);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({
      code: 'WORKER_CRASHED',
      message: expect.stringMatching(/exited \(SIGKILL\).*attempt 2 of 2; giving up/),
    });
    expect(await queue.attempts(run.id)).toHaveLength(2);
    // Followers see the stream end; the workers themselves survived (only their inference child died).
    expect((await queue.events(run.id, -1))!.at(-1)!.type).toBe('interrupted');
    expect(workers.every((w) => w.alive)).toBe(true);
    expect((await queue.workers()).map((w) => w.id)).toEqual(expect.arrayContaining(workers.map((w) => w.id)));
  }, 180_000);

  it('a studio server on the same Redis streams events and previews of runs the workers execute, and cancels them', async () => {
    const server: StudioServer = await createStudioServer({
      dataDir: tempDataDir('scaleout'),
      port: 0,
      redis: { url: redis.url },
      nodeModules: [TEST_NODES],
      log: () => {},
    });
    const client = new StudioClient({ baseUrl: server.url, transports: ['websocket'] });
    try {
      const events: RunEvent[] = [];
      const previews: RunPreview[] = [];
      const handle = await client.submit(
        { workflow: tickerWorkflow(6, 50, 'server') },
        { onEvent: (e) => events.push(e), onPreview: (p) => previews.push(p) },
      );
      const run = await handle.done;
      expect(run.status).toBe('succeeded');
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
      expect(events.filter((e) => e.type === 'progress')).toHaveLength(6);
      expect(events.at(-1)!.type).toBe('success');
      expect(previews.length).toBeGreaterThan(0);
      expect(previews[0]!.mime).toBe('image/png');
      expect((await client.runEvents(run.id)).map((e) => e.seq)).toEqual(events.map((e) => e.seq));
      // Cancel mid-run reaches the worker through Redis: the run stops and ends cancelled.
      const long = await client.submit({ workflow: tickerWorkflow(200, 50, 'cancel') });
      await waitFor(
        'progress of the run to cancel',
        async () => long.events.some((e) => e.type === 'progress'),
        60_000,
      );
      await long.cancel();
      const cancelled = await long.done;
      expect(cancelled.status).toBe('cancelled');
      expect(long.events.at(-1)!.type).toMatch(/interrupted|error/);
      // An image uploaded to this server reaches the worker through Redis (workers have no access to the server's disk).
      const rgba = new Uint8Array(16 * 16 * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 7 + Date.now()) % 256));
      const upload = await client.upload(encodePng({ width: 16, height: 16, rgba }), 'fresh.png');
      const viaUpload = await (await client.submit({ workflow: uploadWorkflow(upload.id) })).done;
      expect(viaUpload).toMatchObject({
        status: 'succeeded',
        outputs: [expect.objectContaining({ mime: 'image/png' })],
      });
      // /api/health answers for the queue; /api/models lists the packs the workers hold.
      expect((await client.health()).worker.alive).toBe(true);
      expect((await client.models()).packs.map((p) => p.id)).toContain('tiny-random');
    } finally {
      client.close();
      await server.close();
    }
  }, 120_000);

  it('SIGTERM hands back a run that does not finish within --drain-timeout: another worker completes it', async () => {
    const run = await submit(tickerWorkflow(50, 100, 'hand back'));
    const started = await waitFor('the run to start', async () => (await queue.attempts(run.id))[0], 60_000);
    const leaving = workers.find((w) => w.id === started.worker)!;
    const signalled = Date.now();
    expect(await leaving.stop()).toBe(0);
    // Handed back after the 2 s drain, not found later as stalled.
    expect(Date.now() - signalled).toBeLessThan(10_000);
    workers = workers.filter((w) => w !== leaving);
    const done = await finalRun(run.id, 120_000);
    expect(done.status).toBe('succeeded');
    const attempts = await queue.attempts(run.id);
    expect(attempts.map((a) => a.worker)).toEqual([leaving.id, workers[0]!.id]);
  }, 180_000);

  it('SIGTERM lets a run that finishes within --drain-timeout complete on the same worker', async () => {
    const run = await submit(tickerWorkflow(5, 100, 'finish'));
    // Signalled once it ticks (the inference child has it): about 0.4 s of the run left, well inside the 2 s drain.
    const started = await waitFor(
      'the run to tick',
      async () => {
        const [attempt] = await queue.attempts(run.id);
        return attempt && (await queue.events(run.id, -1))?.some((e) => e.type === 'progress') ? attempt : undefined;
      },
      60_000,
    );
    const leaving = workers.find((w) => w.id === started.worker)!;
    expect(await leaving.stop()).toBe(0);
    workers = workers.filter((w) => w !== leaving);
    const done = await queue.get(run.id);
    expect(done?.status).toBe('succeeded');
    expect(await queue.attempts(run.id)).toHaveLength(1);
  }, 120_000);
});

// The sweep's own document loader accepts the file we write (a guard on the fixture itself).
it('the sweep fixture is a valid workflow', () => {
  expect(loadDocument(readFileSync(sweepWorkflowFile(), 'utf8'), { registry }).ok).toBe(true);
});
