import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_LIMITS, type WorkflowDocumentInput } from '@ptp/graph-core';
import { StudioClient } from '@ptp/graph-core/client';
import { createStudioServer, type StudioServer, type StudioServerOptions } from '@ptp/runner/server/createStudioServer';
import { afterAll, beforeAll } from 'vitest';
import { repoRoot } from './repoRoot.js';

export const TEST_NODES_MODULE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'serverTestNodes.ts');

export function tempDataDir(tag = 'server'): string {
  return mkdtempSync(path.join(os.tmpdir(), `ptp-${tag}-`));
}

/** A real studio server on loopback with its worker, a fresh data dir and the test nodes. */
export function startServer(options: Partial<StudioServerOptions> = {}) {
  return createStudioServer({
    dataDir: tempDataDir(),
    port: 0,
    nodeModules: [TEST_NODES_MODULE],
    warmWorker: true,
    log: () => {},
    ...options,
  });
}

/**
 * One real server and a socket client for a whole test file: started before the first test (after
 * `options()`, which may prepare folders), closed after the last. `ready` receives them.
 */
export function useStudioServer(
  options: () => Partial<StudioServerOptions>,
  ready: (server: StudioServer, client: StudioClient) => void,
): void {
  let server: StudioServer | undefined;
  let client: StudioClient | undefined;
  // Starting the server forks and warms the inference worker: seconds, more on a busy machine.
  beforeAll(async () => {
    server = await startServer(options());
    client = new StudioClient({ baseUrl: server.url, transports: ['websocket'] });
    ready(server, client);
  }, 120_000);
  afterAll(async () => {
    client?.close();
    await server?.close();
  }, 60_000);
}

/** examples/tiny-generate.json on the tiny pack with few steps (real onnxruntime). */
export function generateWorkflow(steps = 4, seed = 42): WorkflowDocumentInput {
  const doc = JSON.parse(
    readFileSync(path.join(repoRoot, 'examples/tiny-generate.json'), 'utf8'),
  ) as WorkflowDocumentInput;
  const sample = doc.nodes.find((n) => n.id === 'sample')!;
  sample.params = { ...sample.params, steps, seed };
  return doc;
}

/**
 * examples/tiny-generate.json as a run that is still running when a test cancels it or kills its
 * worker: the most steps a server takes by default, at 128 px (about 50 ms a step here; 200 steps
 * at the pack's own 32 px end in under a second, before a cancel may arrive).
 */
export function longGenerateWorkflow(seed = 42): WorkflowDocumentInput {
  const doc = generateWorkflow(API_LIMITS.maxSteps, seed);
  const sample = doc.nodes.find((n) => n.id === 'sample')!;
  sample.params = { ...sample.params, width: 128, height: 128 };
  return doc;
}

/** The cheapest runnable graph: a prompt shown by an output node (no model). */
export function promptWorkflow(text: string): WorkflowDocumentInput {
  return {
    schemaVersion: 3,
    metadata: { name: `prompt ${text}`, description: '', tags: [] },
    nodes: [
      { id: 'p', type: 'ptp.prompt', typeVersion: 1, params: { text } },
      { id: 'show', type: 'ptp.showValue', typeVersion: 1, params: {} },
    ],
    edges: [{ from: { node: 'p', output: 'prompt' }, to: { node: 'show', input: 'value' } }],
  };
}

export function tickerWorkflow(ticks: number, ms: number, label = ''): WorkflowDocumentInput {
  return {
    schemaVersion: 3,
    metadata: { name: 'ticker', description: '', tags: [] },
    nodes: [{ id: 'tick', type: 'test.ticker', typeVersion: 1, params: { ticks, ms, label } }],
    edges: [],
  };
}

/**
 * A raw HTTP request (no URL normalisation, any headers), for the safety tests: fetch would
 * resolve `..` and refuses to set Host or Origin.
 */
export function rawRequest(
  port: number,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: Uint8Array | string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 101, headers: res.headers, body: '' });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
