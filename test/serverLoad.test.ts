import { checkEventOrder, type RunRecord } from '@ptp/graph-core';
import { StudioClient } from '@ptp/graph-core/client';
import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptWorkflow, startServer } from './support/studioServer.js';

let server: StudioServer;
// Starting the server forks and warms the inference worker: seconds, more on a busy machine.
beforeAll(async () => {
  server = await startServer();
}, 120_000);
afterAll(async () => {
  await server?.close();
}, 60_000);

describe('studio server under 50 concurrent clients', () => {
  it('every submitted run completes exactly once: none lost, none run twice, retries deduplicated', async () => {
    const N = 50;
    const clients = Array.from(
      { length: N },
      () => new StudioClient({ baseUrl: server.url, transports: ['websocket'] }),
    );
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const started = Date.now();
      const results = await Promise.all(
        clients.map(async (c, i) => {
          const request = { workflow: promptWorkflow(`client ${i}`), clientRequestId: `load-${i}` };
          const handle = await c.submit(request);
          // A retry after a lost answer (same clientRequestId) must not queue a second run.
          const retry = await c.submitRun(request);
          const run = await handle.done;
          return { i, run, retry, events: handle.events };
        }),
      );
      const elapsed = Date.now() - started;

      const ids = results.map((r) => r.run.id);
      expect(new Set(ids).size).toBe(N);
      for (const { i, run, retry, events } of results) {
        expect(run.status).toBe('succeeded');
        expect(retry.id).toBe(run.id);
        expect(checkEventOrder(events)).toEqual([]);
        expect(events.filter((e) => e.type === 'run_started')).toHaveLength(1);
        expect(events.filter((e) => e.type === 'success')).toHaveLength(1);
        expect(run.name).toBe(`prompt client ${i}`);
        // Each client saw only its own run.
        expect(events.every((e) => e.runId === run.id)).toBe(true);
      }
      // The server's own record agrees: exactly N runs, all succeeded, each started once.
      const all: RunRecord[] = await clients[0]!.listRuns({ limit: 500 });
      expect(all).toHaveLength(N);
      expect(all.every((r) => r.status === 'succeeded' && r.startedAt && r.finishedAt)).toBe(true);
      const starts = await Promise.all(
        ids.map(async (id) => (await clients[0]!.runEvents(id)).filter((e) => e.type === 'run_started').length),
      );
      expect(starts.every((n) => n === 1)).toBe(true);
      expect(elapsed).toBeLessThan(30_000);
    } finally {
      for (const c of clients) c.close();
    }
  });
});
