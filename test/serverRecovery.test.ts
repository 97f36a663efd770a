import { checkEventOrder } from '@ptp/graph-core';
import { StudioClient } from '@ptp/graph-core/client';
import { describe, expect, it } from 'vitest';
import {
  longGenerateWorkflow,
  promptWorkflow,
  startServer,
  tempDataDir,
  tickerWorkflow,
} from './support/studioServer.js';

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('studio server: the queue survives restarts and worker crashes', () => {
  it('restart with queued runs: they run; the one executing is marked interrupted, resubmittable, never re-run on its own', async () => {
    const dataDir = tempDataDir('restart');
    const first = await startServer({ dataDir });
    const c1 = new StudioClient({ baseUrl: first.url, transports: ['websocket'] });
    const executing = await c1.submitRun({ workflow: tickerWorkflow(200, 20, 'long') });
    const queued = [
      await c1.submitRun({ workflow: promptWorkflow('queued one') }),
      await c1.submitRun({ workflow: promptWorkflow('queued two') }),
    ];
    await waitFor(async () => ((await c1.getRun(executing.id)).lastSeq >= 2 ? true : undefined));
    expect((await c1.getRun(queued[0]!.id)).status).toBe('queued');
    c1.close();
    await first.close(); // the process "dies" with one run executing and two queued

    const second = await startServer({ dataDir });
    const c2 = new StudioClient({ baseUrl: second.url, transports: ['websocket'] });
    try {
      expect(second.recovered.interrupted).toEqual([executing.id]);
      for (const q of queued) {
        const run = await (await c2.follow(q.id)).done;
        expect(run.status).toBe('succeeded');
      }
      const interrupted = await c2.getRun(executing.id);
      expect(interrupted).toMatchObject({ status: 'interrupted', error: { code: 'INTERRUPTED' } });
      const events = await c2.runEvents(executing.id);
      expect(checkEventOrder(events)).toEqual([]);
      expect(events.at(-1)!.type).toBe('interrupted');
      // It stays interrupted (nothing re-runs it) until someone resubmits it as a new run.
      await new Promise((r) => setTimeout(r, 200));
      expect((await c2.getRun(executing.id)).status).toBe('interrupted');
      const again = await c2.resubmitRun(executing.id);
      expect(again).toMatchObject({ resubmittedFrom: executing.id });
      expect(again.id).not.toBe(executing.id);
      await c2.cancelRun(again.id);
      // Unknown ids are unknown, never "done".
      await expect(c2.getRun('run_neverexisted')).rejects.toMatchObject({ status: 404, code: 'UNKNOWN_RUN' });
    } finally {
      c2.close();
      await second.close();
    }
  });

  it('killing the inference worker mid-run marks the run interrupted; the API keeps answering and the next run works', async () => {
    const server = await startServer();
    const client = new StudioClient({ baseUrl: server.url, transports: ['websocket'] });
    try {
      let onProgress!: () => void;
      const progressed = new Promise<void>((r) => (onProgress = r));
      const handle = await client.submit(
        { workflow: longGenerateWorkflow() },
        { onEvent: (e) => e.type === 'progress' && onProgress() },
      );
      await progressed;
      const pid = server.worker.pid!;
      process.kill(pid, 'SIGKILL');
      // The API answers while the worker is dead.
      const health = await client.health();
      expect(health.ok).toBe(true);
      const run = await handle.done;
      expect(run).toMatchObject({ status: 'interrupted', error: { code: 'WORKER_CRASHED' } });
      expect(checkEventOrder(handle.events)).toEqual([]);
      expect(handle.events.at(-1)).toMatchObject({ type: 'interrupted', nodeId: 'sample' });
      const next = await (await client.submit({ workflow: promptWorkflow('after the crash') })).done;
      expect(next.status).toBe('succeeded');
      expect(server.worker.pid).not.toBe(pid);
      expect((await client.health()).worker).toMatchObject({ alive: true, restarts: 1 });
    } finally {
      client.close();
      await server.close();
    }
  });
});
