import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WorkflowDocumentInput } from '@ptp/graph-core';
import { pngIccpBomb, pngIdatBomb, pngTextBomb } from '@ptp/nodes/testing/pngBombs';
import { StudioClient } from '@ptp/graph-core/client';
import { nodeZlibBomb } from '@ptp/runner/testing/nodeZlibBomb';
import { printTable } from './lib/table.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const SOAK_RUNS = Number(process.env.PTP_BENCH_SOAK_RUNS ?? 500);
const MiB = 1024 * 1024;

const mib = (bytes: number) => (bytes / MiB).toFixed(0);
const rssOf = (pid: number | undefined): number => {
  if (!pid) return 0;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};
const childOf = (pid: number): number | undefined =>
  Number(
    execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)[0],
  ) || undefined;

interface ServerProcess {
  url: string;
  pid: number;
  /** The inference worker (the server's child), once it has started. */
  workerPid: () => number | undefined;
  stop: () => Promise<void>;
}

/** The studio server as users start it (built CLI, its own process), so its event loop is its own. */
async function startServerProcess(dataDir: string): Promise<ServerProcess> {
  const proc = spawn(
    process.execPath,
    [path.join(ROOT, 'packages/runner/bin/ptp.mjs'), 'serve', '--port', '0', '--data', dataDir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s/]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve(m[1]!);
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
  });
  const pid = proc.pid!;
  return {
    url,
    pid,
    workerPid: () => childOf(pid),
    stop: async () => {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
  };
}

/** Sends one hostile request while polling /api/health every 10 ms; the slowest health answer is the event-loop cost. */
async function attack(
  server: ServerProcess,
  send: () => Promise<Response>,
): Promise<{ status: number; code: string; ms: number; healthMaxMs: number; rssBefore: number; rssAfter: number }> {
  const rssBefore = rssOf(server.pid);
  let healthMaxMs = 0;
  let attacking = true;
  const poll = (async () => {
    while (attacking) {
      const t = performance.now();
      await fetch(`${server.url}/api/health`);
      healthMaxMs = Math.max(healthMaxMs, performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const t0 = performance.now();
  const res = await send();
  const body = (await res.json().catch(() => ({}))) as { error?: { code?: string }; status?: string };
  const ms = performance.now() - t0;
  attacking = false;
  await poll;
  return {
    status: res.status,
    code: body.error?.code ?? body.status ?? '',
    ms,
    healthMaxMs,
    rssBefore,
    rssAfter: rssOf(server.pid),
  };
}

const wordSwap = (): WorkflowDocumentInput =>
  JSON.parse(readFileSync(path.join(ROOT, 'examples/word-swap.json'), 'utf8')) as WorkflowDocumentInput;

/**
 * `pnpm bench hardening`: each hostile input of issue 17 against a real server (its own process, its
 * worker a child): status and code, time to refusal, the slowest /api/health answer while it was
 * in flight (baseline: health alone), and server RSS before/after. Then a soak of SOAK_RUNS
 * word-swap runs (PTP_BENCH_SOAK_RUNS) sampling the worker's RSS.
 */
export async function benchHardening(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ptp-bench-hardening-'));
  const server = await startServerProcess(dataDir);
  const url = server.url;
  const post = (p: string, type: string, body: Uint8Array | string) => () =>
    fetch(`${url}${p}`, {
      method: 'POST',
      headers: { 'Content-Type': type },
      body: typeof body === 'string' ? body : Buffer.from(body),
    });
  try {
    const deep = (depth: number) =>
      JSON.stringify({ workflow: wordSwap() }).replace(
        '"params":{',
        `"params":{"x":${'['.repeat(depth)}${']'.repeat(depth)},`,
      );
    const wide = wordSwap();
    for (const n of wide.nodes)
      if (n.params && 'steps' in n.params) n.params = { ...n.params, width: 1024, height: 1024 };
    const attacks: [string, number, () => Promise<Response>][] = [
      ['health alone (baseline)', 0, () => fetch(`${url}/api/health`)],
      [
        'import: zTXt workflow inflating to 256 MiB',
        0,
        post('/api/workflows/import', 'image/png', pngTextBomb('zTXt', 256 * MiB, nodeZlibBomb)),
      ],
      [
        'import: iTXt workflow inflating to 256 MiB',
        0,
        post('/api/workflows/import', 'image/png', pngTextBomb('iTXt', 256 * MiB, nodeZlibBomb)),
      ],
      [
        'upload: 64x64 PNG, IDAT inflating to 1 GiB',
        0,
        post('/api/uploads', 'image/png', pngIdatBomb(64, 64, 1024 * MiB, nodeZlibBomb)),
      ],
      [
        'upload: iCCP inflating to 1 GiB (never inflated)',
        0,
        post('/api/uploads', 'image/png', pngIccpBomb(1024 * MiB, nodeZlibBomb)),
      ],
      ['run: params nested 3,500 levels', 0, post('/api/runs', 'application/json', deep(3500))],
      ['run: params nested 100,000 levels', 0, post('/api/runs', 'application/json', deep(100_000))],
      [
        'import: 15 MiB JSON document',
        0,
        post('/api/workflows/import', 'application/json', JSON.stringify({ ...wordSwap(), pad: 'x'.repeat(15 * MiB) })),
      ],
    ];
    const rows: (string | number)[][] = [];
    for (const [name, , send] of attacks) {
      const r = await attack(server, send);
      rows.push([name, r.status, r.code, r.ms.toFixed(0), r.healthMaxMs.toFixed(1), mib(r.rssBefore), mib(r.rssAfter)]);
    }
    // 1024x1024 on the 32 px pack: accepted at the door, refused by the memory estimate in the worker.
    const client = new StudioClient({ baseUrl: url });
    const t0 = performance.now();
    const widely = await (await client.submit({ workflow: wide })).done;
    rows.push([
      'run: 1024x1024 on the 32 px pack',
      'run',
      widely.error?.code ?? widely.status,
      (performance.now() - t0).toFixed(0),
      '-',
      '-',
      '-',
    ]);
    printTable(
      'hostile inputs: refusal, event loop and memory (the server in its own process, as `ptp serve` starts it)',
      ['attack', 'HTTP', 'code', 'ms to answer', 'max health ms meanwhile', 'RSS before MiB', 'RSS after MiB'],
      rows,
    );

    // Soak: the worker's RSS over many runs of the word-swap template (PTP_BENCH_SOAK_RUNS=0 skips it).
    if (SOAK_RUNS > 0) {
      const samples: (string | number)[][] = [];
      const every = Math.max(1, Math.floor(SOAK_RUNS / 10));
      let failed = 0;
      const started = performance.now();
      for (let i = 1; i <= SOAK_RUNS; i++) {
        const doc = wordSwap();
        // A new seed each run, so every run computes (the cache would otherwise answer).
        for (const n of doc.nodes) if (n.params && 'seed' in n.params) n.params = { ...n.params, seed: i };
        const run = await (await client.submit({ workflow: doc })).done;
        if (run.status !== 'succeeded') failed++;
        if (i === 1 || i % every === 0)
          samples.push([
            i,
            mib(rssOf(server.workerPid())),
            mib(rssOf(server.pid)),
            ((performance.now() - started) / i).toFixed(0),
          ]);
      }
      printTable(
        `soak: ${SOAK_RUNS} word-swap runs (new seed each), ${failed} failed`,
        ['runs', 'worker RSS MiB', 'server RSS MiB', 'ms per run (mean)'],
        samples,
      );
      // The first runs fill the worker's output cache (256 MiB budget): judge growth over the second half.
      const mid = samples[Math.floor(samples.length / 2)]!;
      const last = samples[samples.length - 1]!;
      console.log(
        `\nworker RSS over the second half (run ${mid[0]} -> ${last[0]}): ${mid[1]} -> ${last[1]} MiB, ${(Number(last[1]) / Number(mid[1])).toFixed(3)}x`,
      );
    }
    client.close();
  } finally {
    await server.stop();
  }
}
