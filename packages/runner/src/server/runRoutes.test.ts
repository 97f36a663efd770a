import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { API_LIMITS, RunBatchResultSchema, WaitingCancelResultSchema } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStudioDatabase } from '../library/openStudioDatabase.js';
import { errorHandler } from './httpErrors.js';
import { EmbeddedRunQueue } from '../queue/EmbeddedRunQueue.js';
import type { RunQueue } from '../queue/RunQueue.js';
import { RunStore } from '../queue/RunStore.js';
import type { RunExecutor } from '../worker/workerProtocol.js';
import { runRoutes } from './runRoutes.js';

// The queue is never started, so no run executes: this is about which request sees which runs.
const idleExecutor: RunExecutor = {
  execute: () => Promise.reject(new Error('not started')),
  cancel: () => {},
  status: () => ({ alive: true, restarts: 0 }),
  close: async () => {},
};

/** The real queue, with each submit taking a few ms (as on a busy disk or a remote Redis). */
function slowSubmits(queue: EmbeddedRunQueue, ms: number): RunQueue {
  return new Proxy(queue, {
    get(target, prop) {
      if (prop === 'submit')
        return async (run: Parameters<RunQueue['submit']>[0]) => {
          await new Promise((r) => setTimeout(r, ms));
          return target.submit(run);
        };
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const prompt = (text: string) => ({
  schemaVersion: 3,
  metadata: { name: text, description: '', tags: [] },
  nodes: [
    { id: 'p', type: 'ptp.prompt', typeVersion: 1, params: { text } },
    { id: 'show', type: 'ptp.showValue', typeVersion: 1, params: {} },
  ],
  edges: [{ from: { node: 'p', output: 'prompt' }, to: { node: 'show', input: 'value' } }],
});

let base = '';
let close: () => void;
beforeAll(async () => {
  const store = new RunStore(openStudioDatabase(':memory:'));
  const queue = new EmbeddedRunQueue({
    store,
    executor: idleExecutor,
    outputsDir: mkdtempSync(path.join(tmpdir(), 'ptp-routes-')),
  });
  const app = express();
  app.use('/api/runs', runRoutes(slowSubmits(queue, 10), createNodeRegistry(), API_LIMITS));
  app.use(errorHandler(() => {}));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

const post = (route: string, body?: unknown) =>
  fetch(`${base}/api/runs${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });

describe('run routes: a batch and the cancels take turns', () => {
  it('Clear queue pressed while a batch is being queued cancels the whole batch, not the part queued so far', async () => {
    const batch = post('/batch', {
      runs: Array.from({ length: 20 }, (_, i) => ({
        workflow: prompt(`run ${i}`),
        batch: { id: 'turns', index: i, size: 20 },
      })),
    });
    // The batch takes about 200 ms to queue; Clear queue arrives once its first run is queued.
    const first = async () =>
      ((await (await fetch(`${base}/api/runs?batch=turns&limit=1`)).json()) as { runs: unknown[] }).runs;
    await expect.poll(first, { interval: 2 }).toHaveLength(1);
    const cleared = WaitingCancelResultSchema.parse(await (await post('/cancel-waiting')).json());
    const queued = RunBatchResultSchema.parse(await (await batch).json());
    expect(queued.runs).toHaveLength(20);
    expect(cleared.cancelled).toHaveLength(20);
  });
});

describe('run routes: what a careless client sends', () => {
  const send = (headers: Record<string, string>, body: string) =>
    fetch(`${base}/api/runs`, { method: 'POST', headers, body });
  const answer = async (res: Response) => [
    res.status,
    ((await res.json()) as { error: { code: string; message: string } }).error,
  ];

  it('a body that is not JSON-typed is 415 saying what to send (it read as no body at all)', async () => {
    const [status, error] = await answer(
      await send({ 'content-type': 'text/plain' }, JSON.stringify({ workflow: prompt('x') })),
    );
    expect(status).toBe(415);
    expect(error).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: expect.stringContaining('application/json'),
    });
  });

  it('an encoding the server cannot undo is 415 with the matching code', async () => {
    const [status, error] = await answer(
      await send({ 'content-type': 'application/json', 'content-encoding': 'gzip, gzip' }, '{}'),
    );
    expect([status, (error as { code: string }).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('an empty targets list is refused (it would run nothing and call it a success)', async () => {
    const [status, error] = await answer(
      await send(
        { 'content-type': 'application/json' },
        JSON.stringify({ workflow: prompt('x'), options: { targets: [] } }),
      ),
    );
    expect(status).toBe(400);
    expect((error as { message: string }).message).toContain('options.targets');
  });
});
