import {
  checkEventOrder,
  RunDetailSchema,
  WorkflowRecordSchema,
  type QueueOrderMessage,
  type RunEvent,
} from '@ptp/graph-core';
import { readPngText } from '@ptp/nodes';
import { StudioApiError, StudioClient, type RunPreview } from '@ptp/graph-core/client';
import { downloadRunOutputs } from '@ptp/runner/client/node';
import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '@ptp/runner/cli/main';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';
import {
  generateWorkflow,
  longGenerateWorkflow,
  promptWorkflow,
  tempDataDir,
  tickerWorkflow,
  useStudioServer,
} from './support/studioServer.js';

let server: StudioServer;
let client: StudioClient;
useStudioServer(
  () => ({}),
  (s, c) => {
    server = s;
    client = c;
  },
);

describe('studio server: runs over socket.io and REST (real server, worker, onnxruntime, sqlite)', () => {
  it('socket submit: events arrive in order, the run succeeds, outputs download with the workflow embedded', async () => {
    const received: RunEvent[] = [];
    const handle = await client.submit({ workflow: generateWorkflow(4) }, { onEvent: (e) => received.push(e) });
    const run = await handle.done;
    expect(run.status).toBe('succeeded');
    expect(checkEventOrder(received)).toEqual([]);
    expect(received.map((e) => e.runId).every((id) => id === run.id)).toBe(true);
    expect(received.filter((e) => e.type === 'progress').length).toBeGreaterThanOrEqual(4);
    expect(received.at(-1)!.type).toBe('success');
    // The socket stream equals what the server recorded.
    expect((await client.runEvents(run.id)).map((e) => `${e.seq}:${e.type}`)).toEqual(
      received.map((e) => `${e.seq}:${e.type}`),
    );

    expect(run.outputs).toEqual([
      expect.objectContaining({ name: 'generate_000.png', nodeId: 'save', mime: 'image/png' }),
    ]);
    const dir = tempDataDir('download');
    const written = await downloadRunOutputs(client, run, dir);
    const png = new Uint8Array(readFileSync(path.join(dir, 'generate_000.png')));
    expect(written[0]!.size).toBe(png.byteLength);
    const text = readPngText(png);
    expect(
      text.ok && JSON.parse(text.text.workflow!).nodes.find((n: { id: string }) => n.id === 'sample').params.steps,
    ).toBe(4);
  });

  it('REST submit: 202 queued, then polled to success; the detail carries the migrated workflow', async () => {
    const queued = await client.submitRun({ workflow: generateWorkflow(3, 7) });
    expect(queued.status).toMatch(/queued|running/);
    let detail = await client.getRun(queued.id);
    for (let i = 0; i < 200 && !['succeeded', 'failed'].includes(detail.status); i++) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await client.getRun(queued.id);
    }
    expect(RunDetailSchema.parse(detail).status).toBe('succeeded');
    expect((detail.workflow as { schemaVersion: number }).schemaVersion).toBe(3);
    const png = await client.fetchOutput(queued.id, 'generate_000.png');
    expect(readPngText(png).ok).toBe(true);
    expect(checkEventOrder(await client.runEvents(queued.id))).toEqual([]);
  });

  it('cancel mid-run: the run stops at once and ends cancelled; the next run still works', async () => {
    let handleCancel: (() => void) | undefined;
    const firstProgress = new Promise<void>((r) => (handleCancel = r));
    const handle = await client.submit(
      { workflow: longGenerateWorkflow(3) },
      { onEvent: (e) => e.type === 'progress' && handleCancel?.() },
    );
    await firstProgress;
    const started = Date.now();
    await handle.cancel();
    const run = await handle.done;
    expect(run.status).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(handle.events.at(-1)!.type).toBe('interrupted');
    expect(checkEventOrder(handle.events)).toEqual([]);
    expect(run.outputs).toEqual([]);
    // Cancelling a finished run is refused with a code; an unknown run answers "unknown".
    await expect(client.cancelRun(run.id)).resolves.toMatchObject({ status: 'cancelled' });
    await expect(client.cancel('run_doesnotexist')).rejects.toMatchObject({ code: 'UNKNOWN_RUN' });
    const after = await (await client.submit({ workflow: promptWorkflow('after cancel') })).done;
    expect(after.status).toBe('succeeded');
  });

  it('cancelling a queued run cancels it without running it', async () => {
    // Busy for 2 s, so the run is still waiting when the cancel arrives, even on a loaded machine.
    const blocker = await client.submit({ workflow: tickerWorkflow(100, 20) });
    const queued = await client.submitRun({ workflow: promptWorkflow('never runs') });
    expect(queued.status).toBe('queued');
    const cancelled = await client.cancelRun(queued.id);
    expect(cancelled.status).toBe('cancelled');
    expect(await client.runEvents(queued.id)).toEqual([]);
    expect((await blocker.done).status).toBe('succeeded');
  });

  it('cancels what is left of a batch in one call, the running run too; other runs go on', async () => {
    const blocker = await client.submit({ workflow: tickerWorkflow(20, 20) });
    const batch = (i: number) => ({ id: 'srv-batch', index: i, size: 3 });
    const queued = [
      await client.submitRun({ workflow: tickerWorkflow(200, 20), batch: batch(0) }),
      await client.submitRun({ workflow: promptWorkflow('batch 1'), batch: batch(1) }),
      await client.submitRun({ workflow: promptWorkflow('batch 2'), batch: batch(2) }),
    ];
    const other = await client.submit({ workflow: promptWorkflow('not in the batch') });
    // The first run of the batch is running when the batch is cancelled.
    while ((await client.getRun(queued[0]!.id)).status !== 'running') await new Promise((r) => setTimeout(r, 20));
    const result = await client.cancelBatch('srv-batch');
    expect(result).toEqual({ batch: 'srv-batch', cancelled: queued.map((r) => r.id).reverse(), final: 0 });
    expect((await blocker.done).status).toBe('succeeded');
    expect((await other.done).status).toBe('succeeded');
    const after = await client.listRuns({ batch: 'srv-batch' });
    expect(after.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    // The queued runs never ran; a second call has nothing left to cancel.
    expect(await client.runEvents(queued[2]!.id)).toEqual([]);
    expect(await client.cancelBatch('srv-batch')).toEqual({ batch: 'srv-batch', cancelled: [], final: 3 });
    await expect(client.cancelBatch('no-such-batch')).rejects.toMatchObject({ code: 'UNKNOWN_BATCH' });
    const bad = await fetch(`${server.url}/api/runs/batches/${encodeURIComponent('../x')}/cancel`, { method: 'POST' });
    expect(bad.status).toBe(404);
  });

  it('cancels every waiting run in one call (Clear queue); the running run goes on', async () => {
    const running = await client.submit({ workflow: tickerWorkflow(50, 20) });
    const waiting = [
      await client.submitRun({ workflow: promptWorkflow('waits 1') }),
      await client.submitRun({ workflow: promptWorkflow('waits 2') }),
    ];
    expect(await client.cancelWaiting()).toEqual({ cancelled: waiting.map((r) => r.id).reverse() });
    expect((await running.done).status).toBe('succeeded');
    for (const r of waiting) expect((await client.getRun(r.id)).status).toBe('cancelled');
    expect(await client.cancelWaiting()).toEqual({ cancelled: [] });
  });

  it('queue front: a front run goes ahead of the waiting runs (the newest front run first)', async () => {
    // Busy for 2 s: the three runs are queued (and their places read) before it ends, even on a loaded machine.
    const running = await client.submit({ workflow: tickerWorkflow(100, 20) });
    // Each takes 20 ms or more, so their start times tell their order.
    const later = await client.submitRun({ workflow: tickerWorkflow(2, 10, 'queued first') });
    const front1 = await client.submitRun({ workflow: tickerWorkflow(2, 10, 'front 1'), front: true });
    const front2 = await client.submitRun({ workflow: tickerWorkflow(2, 10, 'front 2'), front: true });
    expect([front1.queuePosition, front2.queuePosition]).toEqual([0, 0]);
    expect((await client.getRun(later.id)).queuePosition).toBe(2);
    await running.done;
    const started = async (id: string) => {
      await expect.poll(async () => (await client.getRun(id)).status, { timeout: 20_000 }).toBe('succeeded');
      return (await client.getRun(id)).startedAt!;
    };
    const [t2, t1, tl] = [await started(front2.id), await started(front1.id), await started(later.id)];
    expect([t2 < t1, t1 < tl]).toEqual([true, true]);
  });

  it('queues a batch in one call, all or nothing: a bad run names itself and queues none; a retry queues nothing twice', async () => {
    const bad = generateWorkflow(4);
    bad.edges = bad.edges!.filter((e) => e.to.input !== 'prompt');
    const batch = (i: number) => ({ id: 'one-call', index: i, size: 3 });
    const refused = (await client
      .submitBatch({
        runs: [
          { workflow: promptWorkflow('b0'), batch: batch(0) },
          { workflow: bad, batch: batch(1) },
          { workflow: promptWorkflow('b2'), batch: batch(2) },
        ],
      })
      .catch((e: unknown) => e)) as StudioApiError;
    expect(refused).toMatchObject({ status: 422, code: 'VALIDATION_FAILED', nodeId: 'sample', input: 'prompt' });
    expect(refused.message).toMatch(/^run 2 of 3: /);
    expect(await client.listRuns({ batch: 'one-call' })).toEqual([]);

    const blocker = await client.submit({ workflow: tickerWorkflow(500, 20) });
    const waiting = await client.submitRun({ workflow: promptWorkflow('waiting') });
    const runs = [0, 1, 2].map((i) => ({
      workflow: promptWorkflow(`b${i}`),
      clientRequestId: `one-call-${i}`,
      batch: batch(i),
    }));
    const queued = await client.submitBatch({ runs });
    expect(queued.duplicates).toBe(0);
    expect(queued.runs.map((r) => [r.batch?.index, r.status])).toEqual([
      [0, 'queued'],
      [1, 'queued'],
      [2, 'queued'],
    ]);
    // A retry (the answer was lost) answers the same runs and queues none.
    const again = await client.submitBatch({ runs });
    expect(again.duplicates).toBe(3);
    expect(again.runs.map((r) => r.id)).toEqual(queued.runs.map((r) => r.id));
    // A front batch goes ahead of the waiting runs in its own order.
    const front = await client.submitBatch({
      runs: [0, 1].map((i) => ({ workflow: promptWorkflow(`f${i}`), front: true })),
    });
    const place = async (id: string) => (await client.getRun(id)).queuePosition;
    expect(await Promise.all([...front.runs, waiting, ...queued.runs].map((r) => place(r.id)))).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
    // Bounds: an empty batch and one over the batch limit are refused before anything is read.
    for (const body of [{ runs: [] }, { runs: Array.from({ length: 101 }, () => runs[0]) }]) {
      const res = await fetch(`${server.url}/api/runs/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
    }
    // Clear queue pressed while a batch is being queued waits for the whole batch: none of it is left waiting.
    const big = client.submitBatch({
      runs: Array.from({ length: 100 }, (_, i) => ({
        workflow: promptWorkflow(`big ${i}`),
        batch: { id: 'big', index: i, size: 100 },
      })),
    });
    await expect.poll(async () => (await client.listRuns({ batch: 'big', limit: 1 })).length, { interval: 2 }).toBe(1);
    const cleared = await client.cancelWaiting();
    expect((await big).runs).toHaveLength(100);
    expect(cleared.cancelled.length).toBeGreaterThanOrEqual(100);
    expect(await client.listRuns({ batch: 'big', status: 'queued' })).toEqual([]);
    await blocker.cancel();
  });

  it('queue followers hear the waiting order whenever it changes: on watching, a front run, a start, a cancel', async () => {
    const orders: QueueOrderMessage[] = [];
    const watcher = new StudioClient({ baseUrl: server.url, transports: ['websocket'] });
    const stop = await watcher.watchQueue({ onStatus: () => {}, onOrder: (o) => orders.push(o) });
    try {
      await expect.poll(() => orders.at(-1)).toEqual({ waiting: [], total: 0, paused: false });
      const running = await client.submit({ workflow: tickerWorkflow(500, 20) });
      await expect.poll(async () => (await client.getRun(running.runId)).status).toBe('running');
      const a = await client.submitRun({ workflow: promptWorkflow('order a') });
      const b = await client.submitRun({ workflow: promptWorkflow('order b') });
      await expect.poll(() => orders.at(-1)).toEqual({ waiting: [a.id, b.id], total: 2, paused: false });
      const f = await client.submitRun({ workflow: promptWorkflow('order front'), front: true });
      await expect.poll(() => orders.at(-1)).toEqual({ waiting: [f.id, a.id, b.id], total: 3, paused: false });
      await client.cancelRun(a.id);
      await expect.poll(() => orders.at(-1)).toEqual({ waiting: [f.id, b.id], total: 2, paused: false });
      await client.cancelRun(running.runId);
      // The front run starts, then b (close together: their changes may come as one message).
      await expect.poll(() => orders.at(-1), { timeout: 20_000 }).toEqual({ waiting: [], total: 0, paused: false });
      // Only changes are sent: no two messages in a row are the same.
      for (let i = 1; i < orders.length; i++) expect(orders[i]).not.toEqual(orders[i - 1]);
    } finally {
      stop();
      watcher.close();
    }
  });

  it('pause: no waiting run starts (the running one finishes, runs still queue) until resumed; followers are told', async () => {
    const orders: QueueOrderMessage[] = [];
    const watcher = new StudioClient({ baseUrl: server.url, transports: ['websocket'] });
    const stop = await watcher.watchQueue({ onStatus: () => {}, onOrder: (o) => orders.push(o) });
    try {
      // 1 s long, so the poll below sees it running even on a loaded machine.
      const running = await client.submit({ workflow: tickerWorkflow(50, 20) });
      await expect.poll(async () => (await client.getRun(running.runId)).status).toBe('running');
      expect(await client.pauseQueue()).toEqual({ paused: true });
      const waiting = await client.submitRun({ workflow: promptWorkflow('paused') });
      expect((await running.done).status).toBe('succeeded');
      await expect.poll(() => orders.at(-1)).toEqual({ waiting: [waiting.id], total: 1, paused: true });
      expect((await client.health()).queue).toMatchObject({ queued: 1, paused: true });
      await new Promise((r) => setTimeout(r, 500));
      expect((await client.getRun(waiting.id)).status).toBe('queued');
      expect(await client.resumeQueue()).toEqual({ paused: false });
      await expect.poll(async () => (await client.getRun(waiting.id)).status).toBe('succeeded');
      await expect.poll(() => orders.at(-1)).toEqual({ waiting: [], total: 0, paused: false });
    } finally {
      await client.resumeQueue();
      stop();
      watcher.close();
    }
  });

  it('previews arrive as binary frames tied to their run, node and seq', async () => {
    const previews: RunPreview[] = [];
    const handle = await client.submit({ workflow: tickerWorkflow(5, 5) }, { onPreview: (p) => previews.push(p) });
    const run = await handle.done;
    expect(run.status).toBe('succeeded');
    expect(previews).toHaveLength(5);
    for (const p of previews) {
      expect(p).toMatchObject({ runId: run.id, nodeId: 'tick', mime: 'image/png' });
      expect(p.data).toBeInstanceOf(Uint8Array);
      expect([...p.data.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
      const progress = handle.events.find((e) => e.seq === p.seq);
      expect(progress?.type).toBe('progress');
      expect(progress && 'preview' in progress).toBe(false); // bytes never travel inside the JSON event
    }
  });

  it('a client that reconnects catches up on the runs it follows: no gap, no duplicate', async () => {
    const follower = new StudioClient({ baseUrl: server.url, transports: ['websocket'] });
    try {
      const handle = await follower.submit({ workflow: tickerWorkflow(30, 15) });
      const socket = await follower.connect();
      while (handle.events.length < 5) await new Promise((r) => setTimeout(r, 5));
      socket.io.engine.close(); // drop the connection; socket.io reconnects on its own
      const run = await handle.done;
      expect(run.status).toBe('succeeded');
      expect(checkEventOrder(handle.events)).toEqual([]);
      expect(handle.events.filter((e) => e.type === 'progress')).toHaveLength(30);
      // A client that was never connected follows a finished run and gets all of it.
      const late = new StudioClient({ baseUrl: server.url, transports: ['websocket'] });
      const replay = await late.follow(run.id, {}, 10);
      await replay.done;
      expect(replay.events[0]!.seq).toBe(11);
      expect(replay.events.at(-1)!.type).toBe('success');
      late.close();
    } finally {
      follower.close();
    }
  });

  it('refuses bad runs with every problem, per node and input, and loses nothing', async () => {
    const bad = generateWorkflow(4);
    bad.edges = bad.edges!.filter((e) => e.to.input !== 'prompt');
    const err = (await client.submitRun({ workflow: bad }).catch((e: unknown) => e)) as StudioApiError;
    expect(err).toBeInstanceOf(StudioApiError);
    expect(err).toMatchObject({ status: 422, code: 'VALIDATION_FAILED', nodeId: 'sample', input: 'prompt' });
    const socketErr = await client
      .submit({ workflow: { schemaVersion: 99, nodes: [] } as never })
      .catch((e: StudioApiError) => e);
    expect(socketErr).toMatchObject({ code: 'INVALID_DOCUMENT' });
    await expect(client.getRun('run_unknown')).rejects.toMatchObject({ status: 404, code: 'UNKNOWN_RUN' });
  });
});

describe('studio server: workflow library, models, uploads', () => {
  it('saves, versions, searches by tag and text, refuses stale saves, exports and deletes', async () => {
    const doc = generateWorkflow(4);
    const created = await client.createWorkflow({ document: doc, name: 'Gen one', tags: ['gen', 'tiny'] });
    expect(created).toMatchObject({ version: 1, name: 'Gen one', tags: ['gen', 'tiny'] });
    // The editor saves the document it loaded: name and tags travel in its metadata.
    expect(created.document.metadata).toMatchObject({ name: 'Gen one', tags: ['gen', 'tiny'] });
    const v2 = await client.updateWorkflow(created.id, { document: created.document, baseVersion: 1, note: 'second' });
    expect(v2.version).toBe(2);
    expect(v2.history.map((h) => h.version)).toEqual([2, 1]);
    expect(v2.history[0]).toMatchObject({ note: 'second' });
    const stale = await client
      .updateWorkflow(created.id, { document: generateWorkflow(9), baseVersion: 1 })
      .catch((e: StudioApiError) => e);
    expect(stale).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect((await client.getWorkflow(created.id)).version).toBe(2); // nothing lost, nothing overwritten
    await client.createWorkflow({ document: promptWorkflow('x'), name: 'Other', tags: ['misc'] });
    expect((await client.listWorkflows({ tag: ['gen'] })).workflows.map((w) => w.id)).toEqual([created.id]);
    expect((await client.listWorkflows({ q: 'other' })).workflows.map((w) => w.name)).toEqual(['Other']);
    expect((await client.getWorkflowVersion(created.id, 1)).document.nodes).toHaveLength(doc.nodes.length);
    // Versions are digits: "0x1" or "1.0" name none.
    for (const v of ['0x1', '1.0', '1e0'])
      expect((await fetch(`${server.url}/api/workflows/${created.id}/versions/${v}`)).status).toBe(404);
    // So is a run's event cursor: an empty or non-decimal afterSeq is refused, not read as 0.
    const seqRun = await (await client.submit({ workflow: promptWorkflow('seq') })).done;
    const events = (q: string) =>
      fetch(`${server.url}/api/runs/${seqRun.id}/events?afterSeq=${q}`).then((r) => r.status);
    expect([await events(''), await events('0x1'), await events('1e1'), await events('-1')]).toEqual([
      400, 400, 400, 200,
    ]);
    expect(await client.exportWorkflow(created.id)).toMatchObject({ schemaVersion: 3, metadata: { name: 'Gen one' } });
    const invalid = await client
      .createWorkflow({ document: { schemaVersion: 3, nodes: 'nope' } as never })
      .catch((e: StudioApiError) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'INVALID_DOCUMENT' });
    await client.deleteWorkflow(created.id);
    await expect(client.getWorkflow(created.id)).rejects.toMatchObject({ status: 404, code: 'UNKNOWN_WORKFLOW' });
  });

  it('PNG round trip: an output PNG imports back as the same graph', async () => {
    const run = await (await client.submit({ workflow: generateWorkflow(3, 11) })).done;
    const png = await client.fetchOutput(run.id, run.outputs[0]!.name);
    const imported = WorkflowRecordSchema.parse(await client.importWorkflow(png));
    const sample = imported.document.nodes.find((n) => n.id === 'sample')!;
    expect(sample.params).toMatchObject({ steps: 3, seed: 11 });
    expect(imported.document.edges).toHaveLength(5);
  });

  it('lists packs by id and stores uploads content-addressed after checking the bytes', async () => {
    expect((await client.models()).packs.map((p) => p.id)).toContain('tiny-random');
    const run = await (await client.submit({ workflow: generateWorkflow(2) })).done;
    const png = await client.fetchOutput(run.id, run.outputs[0]!.name);
    const record = await client.upload(png, 'mine.png', 'image/png');
    expect(record).toMatchObject({
      id: createHash('sha256').update(png).digest('hex'),
      mediaType: 'image/png',
      size: png.byteLength,
      name: 'mine.png',
    });
    const back = new Uint8Array(await (await fetch(`${server.url}/api/uploads/${record.id}`)).arrayBuffer());
    expect(Buffer.compare(back, png)).toBe(0);
    const health = await client.health();
    expect(health).toMatchObject({ ok: true, worker: { alive: true }, auth: false });
  });
});

describe('ptp run --server (remote runner)', () => {
  it("ptp queue: status, pause, resume and clear a server's queue from the terminal", async () => {
    const queueCli = async (...args: string[]) => {
      const lines: string[] = [];
      const code = await main(['queue', '--server', server.url, ...args], {
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
      });
      return { code, text: lines.join('\n') };
    };
    const running = await client.submit({ workflow: tickerWorkflow(500, 20) });
    await expect.poll(async () => (await client.getRun(running.runId)).status).toBe('running');
    expect(await queueCli('pause')).toMatchObject({ code: 0, text: expect.stringMatching(/^queue paused/) });
    const a = await client.submitRun({ workflow: promptWorkflow('cli a') });
    const f = await client.submitRun({ workflow: promptWorkflow('cli front'), front: true });
    const status = await queueCli();
    expect(status.code).toBe(0);
    expect(status.text).toContain(`${server.url}: 2 waiting, 1 running, paused`);
    // The next to start first.
    expect(status.text.indexOf(`#1  ${f.id}`)).toBeGreaterThan(0);
    expect(status.text.indexOf(`#2  ${a.id}`)).toBeGreaterThan(status.text.indexOf(`#1  ${f.id}`));
    expect(await queueCli('clear')).toMatchObject({ code: 0, text: 'cancelled 2 waiting runs' });
    expect(await queueCli('resume')).toMatchObject({ code: 0, text: 'queue resumed' });
    expect((await queueCli()).text).toMatch(/: 0 waiting, 1 running$/);
    await running.cancel();
    expect((await queueCli('shuffle')).code).toBe(2);
    const down = await main(['queue', '--server', 'http://127.0.0.1:9'], { out: () => {}, err: () => {} });
    expect(down).toBe(1);
  });

  it('streams progress to the terminal and downloads the outputs with a summary', async () => {
    const out = tempDataDir('cli-out');
    const lines: { out: string[]; err: string[] } = { out: [], err: [] };
    const io = { out: (t: string) => lines.out.push(t), err: (t: string) => lines.err.push(t) };
    const code = await main(
      [
        'run',
        '--server',
        server.url,
        path.join(repoRoot, 'examples/tiny-generate.json'),
        '--out',
        out,
        '--set',
        'sample.steps=3',
      ],
      io,
    );
    expect([code, lines.err.filter((l) => l.startsWith('error'))]).toEqual([0, []]);
    expect(lines.err.join('\n')).toMatch(
      /> sample[\s\S]*\[#+\] (\d+)\/\1[\s\S]*succeeded[\s\S]*wrote .*generate_000\.png/,
    );
    expect(lines.out.join('\n')).toMatch(/^ok: 1 file\(s\)/);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    // The same words as a local run's summary.json.
    expect(summary).toMatchObject({
      status: 'success',
      serverStatus: 'succeeded',
      server: server.url,
      outputs: ['generate_000.png'],
    });
    expect(readPngText(new Uint8Array(readFileSync(path.join(out, 'generate_000.png')))).ok).toBe(true);

    // A batch: queued whole, then each run downloaded into its folder, with batch.json.
    const batchOut = tempDataDir('cli-batch');
    const batchLines: string[] = [];
    const batchCode = await main(
      ['run', '--server', server.url, path.join(repoRoot, 'examples/tiny-generate.json'), '--out', batchOut].concat([
        '--set',
        'sample.steps=2',
        '--count',
        '3',
      ]),
      { out: (t) => batchLines.push(t), err: (t) => batchLines.push(t) },
    );
    expect(batchCode, batchLines.join('\n')).toBe(0);
    expect(batchLines.join('\n')).toMatch(/ok: 3 runs, 3 file\(s\)/);
    const report = JSON.parse(readFileSync(path.join(batchOut, 'batch.json'), 'utf8'));
    expect(report.runs.map((r: { dir: string; status: string }) => `${r.dir} ${r.status}`)).toEqual([
      '001 success',
      '002 success',
      '003 success',
    ]);
    const seeds = ['001', '002', '003'].map(
      (d) =>
        JSON.parse(readFileSync(path.join(batchOut, d, 'summary.json'), 'utf8')).nodes.find(
          (n: { id: string }) => n.id === 'sample',
        ).params.seed,
    );
    expect(seeds).toEqual([seeds[0], seeds[0] + 1, seeds[0] + 2]);
    expect(readPngText(new Uint8Array(readFileSync(path.join(batchOut, '003', 'generate_000.png')))).ok).toBe(true);
    // The server keeps the batch: History lists its runs together (newest first).
    const batchId = /batch (cli-[\w-]+): queueing 3 runs/.exec(batchLines.join('\n'))?.[1];
    expect(batchId).toBeDefined();
    const listed = (await (await fetch(`${server.url}/api/runs?batch=${batchId}`)).json()) as {
      runs: { batch: { index: number; size: number } }[];
    };
    expect(listed.runs.map((r) => `${r.batch.index + 1}/${r.batch.size}`)).toEqual(['3/3', '2/3', '1/3']);
    // A batch place past its size is refused with the field named, before anything is queued.
    const badBatch = await fetch(`${server.url}/api/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        workflow: JSON.parse(readFileSync(path.join(repoRoot, 'examples/tiny-generate.json'), 'utf8')),
        batch: { id: 'b', index: 3, size: 3 },
      }),
    });
    expect(badBatch.status).toBe(400);
    expect(JSON.stringify(await badBatch.json())).toMatch(/batch\.index/);

    // Ctrl-C while a batch waits (behind another run): the batch was queued whole in one call, and
    // the server cancels what is left of it in one call; none of it runs.
    const busy = await client.submit({ workflow: tickerWorkflow(100, 20) });
    const stopLines: string[] = [];
    const stopped = await main(
      ['run', '--server', server.url, path.join(repoRoot, 'examples/tiny-generate.json')].concat([
        '--out',
        tempDataDir('cli-stop'),
        '--set',
        'sample.steps=2',
        '--count',
        '4',
      ]),
      {
        out: (t) => stopLines.push(t),
        err: (t) => {
          stopLines.push(t);
          if (/\(2\/4, seed \d+\): queued/.test(t)) process.emit('SIGINT');
        },
      },
    );
    const stopLog = stopLines.join('\n');
    expect(stopped, stopLog).not.toBe(0);
    const stopId = /cancelling batch (cli-[\w-]+) on the server/.exec(stopLog)?.[1];
    expect(stopId, stopLog).toBeDefined();
    const stoppedRuns = await client.listRuns({ batch: stopId! });
    expect(stoppedRuns.length, stopLog).toBe(4);
    expect(new Set(stoppedRuns.map((r) => r.status))).toEqual(new Set(['cancelled']));
    expect(stopLog).toMatch(/0 of 4 runs succeeded/);
    expect((await busy.done).status).toBe('succeeded');

    // --front: the run goes ahead of a run already waiting. The blocking run lasts 2 s, so the CLI
    // (health check, socket, submit) queues its run before the waiting one can start.
    const blocking = await client.submit({ workflow: tickerWorkflow(100, 20) });
    const waiting = await client.submitRun({ workflow: tickerWorkflow(2, 10, 'waiting') });
    const frontLines: string[] = [];
    const frontCode = await main(
      ['run', '--server', server.url, path.join(repoRoot, 'examples/tiny-generate.json'), '--front'].concat([
        '--out',
        tempDataDir('cli-front'),
        '--set',
        'sample.steps=2',
      ]),
      { out: (t) => frontLines.push(t), err: (t) => frontLines.push(t) },
    );
    expect(frontCode, frontLines.join('\n')).toBe(0);
    const frontId = /run (run_\w+): queued \(position 1\)/.exec(frontLines.join('\n'))?.[1];
    expect(frontId, frontLines.join('\n')).toBeDefined();
    await blocking.done;
    await expect.poll(async () => (await client.getRun(waiting.id)).status).toBe('succeeded');
    expect((await client.getRun(frontId!)).startedAt! < (await client.getRun(waiting.id)).startedAt!).toBe(true);
    expect(
      await main(['run', path.join(repoRoot, 'examples/tiny-generate.json'), '--out', 'x', '--front'], {
        out: () => {},
        err: () => {},
      }),
    ).toBe(2);

    // While it waits, the CLI says its place again when it changes: a run ahead of it is cancelled.
    const ahead = await client.submit({ workflow: tickerWorkflow(100, 20) });
    const first = await client.submitRun({ workflow: tickerWorkflow(2, 10, 'first in line') });
    const placeLines: string[] = [];
    const placeCode = await main(
      ['run', '--server', server.url, path.join(repoRoot, 'examples/tiny-generate.json')].concat([
        '--out',
        tempDataDir('cli-place'),
        '--set',
        'sample.steps=2',
      ]),
      {
        out: (t) => placeLines.push(t),
        err: (t) => {
          placeLines.push(t);
          if (/: queued \(position 2\)/.test(t)) void client.cancelRun(first.id);
        },
      },
    );
    const placeLog = placeLines.join('\n');
    expect(placeCode, placeLog).toBe(0);
    expect(placeLog).toMatch(
      /queued \(position 2\)\n(.*\n)*run run_\w+: queued \(position 1\)\n(.*\n)*run run_\w+: running/,
    );
    expect((await ahead.done).status).toBe('succeeded');

    // A refused run prints the code and the node, exits 1, and writes nothing.
    const bad: string[] = [];
    const refused = await main(
      [
        'run',
        '--server',
        server.url,
        path.join(repoRoot, 'examples/tiny-generate.json'),
        '--out',
        tempDataDir('cli-bad'),
        '--set',
        'sample.steps=400',
      ],
      { out: () => {}, err: (t) => bad.push(t) },
    );
    expect(refused).toBe(1);
    expect(bad.join('\n')).toMatch(/LIMIT_EXCEEDED \[node sample, param steps\]/);
    expect(bad.filter((l) => l.includes("over this server's limit"))).toHaveLength(1);
    const unreachable: string[] = [];
    expect(
      await main(
        ['run', '--server', 'http://127.0.0.1:9', path.join(repoRoot, 'examples/tiny-generate.json'), '--out', out],
        { out: () => {}, err: (t) => unreachable.push(t) },
      ),
    ).toBe(1);
    expect(unreachable.join('\n')).toMatch(
      /cannot reach http:\/\/127\.0\.0\.1:9: .*; is `pnpm ptp serve` running there\?/,
    );
    const notUrl: string[] = [];
    expect(
      await main(
        ['run', '--server', '127.0.0.1:8188', path.join(repoRoot, 'examples/tiny-generate.json'), '--out', out],
        {
          out: () => {},
          err: (t) => notUrl.push(t),
        },
      ),
    ).toBe(2);
    expect(notUrl.join('\n')).toContain(
      '--server takes the studio\'s URL, such as http://127.0.0.1:8188; got "127.0.0.1:8188"',
    );
  });
});
