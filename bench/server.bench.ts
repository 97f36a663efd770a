import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SOCKET_EVENTS, type WorkflowDocumentInput } from '@ptp/graph-core';
import { StudioClient } from '@ptp/graph-core/client';
import { createStudioServer } from '@ptp/runner/server/createStudioServer';
import autocannon from 'autocannon';
import express from 'express';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import { printTable } from './lib/table.js';

const BURST_NODES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib/burstNode.ts');
const DURATION_S = Number(process.env.PTP_BENCH_SERVER_SECONDS ?? 3);
const CONNECTIONS = 10;
const EVENTS = 5000;

async function cannon(url: string): Promise<{ p50: number; p99: number; rps: number; errors: number }> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return { p50: r.latency.p50, p99: r.latency.p99, rps: r.requests.average, errors: r.errors + r.non2xx };
}

const burst = (count: number): WorkflowDocumentInput => ({
  schemaVersion: 3,
  metadata: { name: 'burst', description: '', tags: [] },
  nodes: [{ id: 'b', type: 'bench.burst', typeVersion: 1, params: { count } }],
  edges: [],
});

/** Baseline: a bare socket.io server emitting the same-shaped messages in a loop to one client. */
async function bareSocketEventsPerSecond(count: number): Promise<number> {
  const http = createServer();
  const io = new Server(http, { serveClient: false });
  io.on('connection', (socket) => {
    socket.on('go', (n: number) => {
      for (let seq = 0; seq < n; seq++)
        socket.emit(SOCKET_EVENTS.event, {
          runId: 'run_bare',
          event: { type: 'progress', runId: 'run_bare', seq, time: Date.now(), nodeId: 'b', value: seq, max: n },
        });
    });
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const client = ioClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  let received = 0;
  const done = new Promise<void>((resolve) => client.on(SOCKET_EVENTS.event, () => ++received === count && resolve()));
  const started = performance.now();
  client.emit('go', count);
  await done;
  const elapsed = (performance.now() - started) / 1000;
  client.close();
  io.close();
  return count / elapsed;
}

/**
 * `pnpm bench server`: API latency under load (autocannon p50/p99) against a bare express route
 * answering the same JSON, and run events per second through the whole pipeline (worker IPC ->
 * SQLite -> socket.io -> client) against a bare socket.io emit loop. Everything shares this
 * machine's cores (load generator included), baselines too.
 */
export async function benchServer(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ptp-bench-server-'));
  const studio = await createStudioServer({
    dataDir,
    port: 0,
    nodeModules: [BURST_NODES],
    warmWorker: true,
    log: () => {},
  });
  const health = await (await fetch(`${studio.url}/api/health`)).json();
  const bare = express();
  bare.get('/bare', (_req, res) => {
    res.json(health);
  });
  const bareServer = bare.listen(0, '127.0.0.1');
  await once(bareServer, 'listening');
  const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}/bare`;
  try {
    const client = new StudioClient({ baseUrl: studio.url, transports: ['websocket'] });
    const run = await (await client.submit({ workflow: burst(10) })).done;

    const base = await cannon(bareUrl);
    const rows: (string | number)[][] = [
      ['baseline: bare express route, same JSON', base.p50, base.p99, Math.round(base.rps), base.errors, '1.0x'],
    ];
    for (const [what, route] of [
      ['GET /api/health (guard + queue stats)', '/api/health'],
      ['GET /api/runs/:id (guard + SQLite read)', `/api/runs/${run.id}`],
      ['GET /api/nodes (catalogue, ~30 KiB JSON)', '/api/nodes'],
    ] as const) {
      const r = await cannon(`${studio.url}${route}`);
      rows.push([
        what,
        r.p50,
        r.p99,
        Math.round(r.rps),
        r.errors,
        `${(r.p50 / Math.max(base.p50, 0.001)).toFixed(1)}x`,
      ]);
    }
    printTable(
      `API latency under load: ${CONNECTIONS} connections, ${DURATION_S} s each (autocannon, same process)`,
      ['route', 'p50 ms', 'p99 ms', 'req/s', 'errors', 'p50 vs baseline'],
      rows,
    );

    const bareRate = await bareSocketEventsPerSecond(EVENTS);
    const started = performance.now();
    const handle = await client.submit({ workflow: burst(EVENTS) });
    const finished = await handle.done;
    const elapsed = (performance.now() - started) / 1000;
    if (finished.status !== 'succeeded') throw new Error(`burst run ${finished.status}`);
    const studioRate = handle.events.length / elapsed;
    printTable(
      `run events per second over socket.io (${EVENTS} progress events, one client)`,
      ['pipeline', 'events', 'seconds', 'events/s', 'vs baseline'],
      [
        [
          'baseline: bare socket.io emit loop',
          EVENTS,
          ((EVENTS / bareRate) as number).toFixed(2),
          Math.round(bareRate),
          '1.00x',
        ],
        [
          'studio: worker IPC -> SQLite -> socket.io',
          handle.events.length,
          elapsed.toFixed(2),
          Math.round(studioRate),
          `${(studioRate / bareRate).toFixed(2)}x`,
        ],
      ],
    );
    client.close();
  } finally {
    bareServer.close();
    await studio.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
