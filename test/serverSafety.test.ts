import { readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SOCKET_EVENTS } from '@ptp/graph-core';
import { main } from '@ptp/runner/cli/main';
import { StudioClient } from '@ptp/graph-core/client';
import type { StudioServer } from '@ptp/runner/server/createStudioServer';
import fc from 'fast-check';
import { io as ioClient } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import {
  generateWorkflow,
  promptWorkflow,
  rawRequest,
  startServer,
  tempDataDir,
  tickerWorkflow,
  useStudioServer,
} from './support/studioServer.js';
import { repoRoot } from './support/repoRoot.js';

const LIMITS = { maxJsonBodyBytes: 64 * 1024, maxUploadBytes: 256 * 1024, maxSocketMessageBytes: 64 * 1024 };
let server: StudioServer;
let port: number;
let client: StudioClient;
let uiDir: string;
let dataDir: string;
const wsKey = Buffer.from('0123456789abcdef').toString('base64');
const upgrade = {
  Connection: 'Upgrade',
  Upgrade: 'websocket',
  'Sec-WebSocket-Version': '13',
  'Sec-WebSocket-Key': wsKey,
};
const WS_PATH = '/socket.io/?EIO=4&transport=websocket';
const POLL_PATH = '/socket.io/?EIO=4&transport=polling';

useStudioServer(
  () => {
    // A built "editor" with one link pointing outside its folder and one inside it.
    uiDir = tempDataDir('ui');
    writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>editor</title>');
    writeFileSync(path.join(uiDir, 'app.js'), 'console.log(1)');
    const outside = path.join(tempDataDir('outside'), 'secret.txt');
    writeFileSync(outside, 'SECRET');
    symlinkSync(outside, path.join(uiDir, 'leak.txt'));
    symlinkSync(path.join(uiDir, 'app.js'), path.join(uiDir, 'alias.js'));
    dataDir = tempDataDir('safety');
    return { dataDir, uiDir, limits: LIMITS };
  },
  (s, c) => {
    server = s;
    client = c;
    port = s.port;
  },
);

const codeOf = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

describe('safety: Host and Origin on every request and WebSocket handshake', () => {
  it('refuses a foreign Host (DNS rebinding) on HTTP and on the socket handshake', async () => {
    const api = await rawRequest(port, { path: '/api/health', headers: { Host: `evil.example:${port}` } });
    expect([api.status, codeOf(api.body)]).toEqual([403, 'FORBIDDEN_HOST']);
    const page = await rawRequest(port, { path: '/', headers: { Host: 'attacker.test' } });
    expect(page.status).toBe(403);
    const ws = await rawRequest(port, { path: WS_PATH, headers: { ...upgrade, Host: `evil.example:${port}` } });
    expect(ws.status).not.toBe(101);
    expect((await rawRequest(port, { path: POLL_PATH, headers: { Host: 'rebind.attacker.test' } })).status).toBe(403);
    expect((await rawRequest(port, { path: '/api/health', headers: { Host: `localhost:${port}` } })).status).toBe(200);
  });

  it('refuses cross-site and Origin: null requests and WebSockets; same-origin passes', async () => {
    for (const origin of ['http://evil.example', 'null', `http://localhost:${port + 1}`, 'file://']) {
      const api = await rawRequest(port, {
        method: 'POST',
        path: '/api/runs',
        headers: { Origin: origin, 'Content-Type': 'application/json' },
        body: JSON.stringify({ workflow: promptWorkflow('x') }),
      });
      expect([origin, api.status, codeOf(api.body)]).toEqual([origin, 403, 'FORBIDDEN_ORIGIN']);
      const ws = await rawRequest(port, { path: WS_PATH, headers: { ...upgrade, Origin: origin } });
      // engine.io answers a refused upgrade with 400 and our reason.
      expect([origin, ws.status, ws.body]).toEqual([origin, 400, 'FORBIDDEN_ORIGIN']);
    }
    const fetchMeta = await rawRequest(port, { path: '/api/runs', headers: { 'Sec-Fetch-Site': 'cross-site' } });
    expect(fetchMeta.status).toBe(403);
    expect(
      (await rawRequest(port, { path: WS_PATH, headers: { ...upgrade, Origin: `http://127.0.0.1:${port}` } })).status,
    ).toBe(101);
    expect(
      (await rawRequest(port, { path: '/api/health', headers: { Origin: `http://127.0.0.1:${port}` } })).status,
    ).toBe(200);
    // A real socket.io client sending a foreign Origin is refused too.
    const evil = ioClient(server.url, {
      transports: ['websocket'],
      extraHeaders: { Origin: 'http://evil.example' },
      reconnection: false,
    });
    const outcome = await new Promise<string>((resolve) => {
      evil.on('connect', () => resolve('connected'));
      evil.on('connect_error', () => resolve('refused'));
    });
    evil.close();
    expect(outcome).toBe('refused');
  });
});

describe('safety: a token is required beyond loopback', () => {
  it('will not bind beyond loopback without a token, and then refuses requests and sockets without it', async () => {
    await expect(startServer({ host: '0.0.0.0', warmWorker: false })).rejects.toThrow(/token is required/);
    const lines: string[] = [];
    expect(
      await main(['serve', '--host', '0.0.0.0', '--port', '0'], {
        out: (t) => lines.push(t),
        err: (t) => lines.push(t),
      }),
    ).toBe(2);
    expect(lines.join('\n')).toMatch(/pass --token/);

    const open = await startServer({ host: '0.0.0.0', token: 's3cret-token-0123456789', warmWorker: false });
    try {
      const p = open.port;
      const none = await rawRequest(p, { path: '/api/health' });
      expect([none.status, codeOf(none.body)]).toEqual([401, 'UNAUTHORIZED']);
      expect((await rawRequest(p, { path: '/api/health', headers: { Authorization: 'Bearer wrong' } })).status).toBe(
        401,
      );
      expect(
        (await rawRequest(p, { path: '/api/health', headers: { Authorization: 'Bearer s3cret-token-0123456789' } }))
          .status,
      ).toBe(200);
      expect((await rawRequest(p, { path: '/api/health?token=s3cret-token-0123456789' })).status).toBe(200);
      const anonymous = new StudioClient({ baseUrl: `http://127.0.0.1:${p}`, transports: ['websocket'] });
      await expect(anonymous.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      const authed = new StudioClient({
        baseUrl: `http://127.0.0.1:${p}`,
        token: 's3cret-token-0123456789',
        transports: ['websocket'],
      });
      await authed.connect();
      expect((await authed.health()).auth).toBe(true);
      authed.close();
    } finally {
      await open.close();
    }
  });
});

describe('safety: no client path reaches the file system unchecked', () => {
  it('refuses .., encoded .. and symlinks out of the editor folder', async () => {
    for (const p of [
      '/../package.json',
      '/%2e%2e/%2e%2e/package.json',
      '/..%2f..%2fpackage.json',
      '/%2E%2E%5C..%5Cpackage.json',
      '/leak.txt',
      '/.%2e/leak.txt',
    ]) {
      const res = await rawRequest(port, { path: p });
      expect([p, res.status]).toEqual([p, 404]);
      expect(res.body).not.toContain('SECRET');
      expect(res.body).not.toContain('ptp-studio');
    }
    expect((await rawRequest(port, { path: '/alias.js' })).body).toBe('console.log(1)'); // a link inside is fine
    expect((await rawRequest(port, { path: '/some/editor/route' })).body).toContain('<title>editor</title>');
  });

  it('refuses traversal in run, output and upload ids, and an output replaced by a link out of the run folder', async () => {
    const run = await (await client.submit({ workflow: generateWorkflow(2) })).done;
    const name = run.outputs[0]!.name;
    for (const p of [
      `/api/runs/${run.id}/outputs/..%2F..%2Fstudio.db`,
      `/api/runs/${run.id}/outputs/%2e%2e`,
      `/api/runs/..%2F..%2Fstudio.db/outputs/${name}`,
      `/api/runs/${run.id}/outputs/..%5c..%5cstudio.db`,
      '/api/uploads/..%2F..%2Fstudio.db',
      `/api/workflows/..%2F..%2Fstudio.db`,
    ]) {
      const res = await rawRequest(port, { path: p });
      expect([p, res.status]).toEqual([p, 404]);
    }
    expect((await rawRequest(port, { path: `/api/runs/${run.id}/outputs/${name}` })).status).toBe(200);
    // Dots inside a name are no path: a Save image prefix "v1..final" makes pictures that download.
    const dotted = generateWorkflow(2);
    dotted.nodes.find((n) => n.id === 'save')!.params = { prefix: 'v1..final' };
    const dottedRun = await (await client.submit({ workflow: dotted })).done;
    expect(dottedRun.outputs.map((o) => o.name)).toEqual(['v1..final_000.png']);
    const got = await rawRequest(port, { path: `/api/runs/${dottedRun.id}/outputs/v1..final_000.png` });
    expect([got.status, got.headers['content-type']]).toEqual([200, 'image/png']);
    const file = path.join(dataDir, 'runs', run.id, name);
    unlinkSync(file);
    symlinkSync(path.join(dataDir, 'studio.db'), file);
    expect((await rawRequest(port, { path: `/api/runs/${run.id}/outputs/${name}` })).status).toBe(404);
  });
});

describe('safety: size and parameter limits', () => {
  it('refuses oversized bodies and uploads, non-images and decompression bombs with structured errors', async () => {
    const big = JSON.stringify({ workflow: promptWorkflow('x'.repeat(LIMITS.maxJsonBodyBytes)) });
    const body = await rawRequest(port, {
      method: 'POST',
      path: '/api/runs',
      headers: { 'Content-Type': 'application/json' },
      body: big,
    });
    expect([body.status, codeOf(body.body)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const upload = await rawRequest(port, {
      method: 'POST',
      path: '/api/uploads',
      headers: { 'Content-Type': 'image/png' },
      body: new Uint8Array(LIMITS.maxUploadBytes + 1),
    });
    expect([upload.status, codeOf(upload.body)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const text = await rawRequest(port, {
      method: 'POST',
      path: '/api/uploads',
      headers: { 'Content-Type': 'image/png' },
      body: 'not an image at all',
    });
    expect([text.status, codeOf(text.body)]).toEqual([415, 'UNSUPPORTED_IMAGE_TYPE']);
    const wrongType = await rawRequest(port, {
      method: 'POST',
      path: '/api/uploads',
      headers: { 'Content-Type': 'text/html' },
      body: '<script>',
    });
    expect(wrongType.status).toBe(415);
    const bomb = await rawRequest(port, {
      method: 'POST',
      path: '/api/uploads',
      headers: { 'Content-Type': 'image/png' },
      body: pngHeaderOnly(20000, 20000),
    });
    expect([bomb.status, codeOf(bomb.body)]).toEqual([400, 'IMAGE_TOO_LARGE']);
    expect((await client.health()).ok).toBe(true);
  });

  it('bounds graph parameters and names packs by id only', async () => {
    const tooMany = await client.submitRun({ workflow: generateWorkflow(201) }).catch((e: unknown) => e);
    expect(tooMany).toMatchObject({ status: 422, code: 'LIMIT_EXCEEDED', nodeId: 'sample', param: 'steps' });
    const wide = generateWorkflow(2);
    wide.nodes.find((n) => n.id === 'sample')!.params = {
      ...wide.nodes.find((n) => n.id === 'sample')!.params,
      width: 2048,
    };
    await expect(client.submitRun({ workflow: wide })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      param: 'width',
    });
    const byPath = generateWorkflow(2);
    byPath.nodes.find((n) => n.id === 'model')!.params = { pack: '../../etc' };
    await expect(client.submitRun({ workflow: byPath })).rejects.toMatchObject({
      status: 422,
      code: 'VALIDATION_FAILED',
      nodeId: 'model',
      param: 'pack',
    });
    // A pack the server lacks is refused before it is queued, over HTTP, a batch and the socket alike.
    const missing = generateWorkflow(2);
    missing.nodes.find((n) => n.id === 'model')!.params = { pack: 'no-such-pack' };
    const refused = { status: 422, code: 'VALIDATION_FAILED', nodeId: 'model', param: 'pack' };
    const runsBefore = (await client.listRuns({ limit: 500 })).length;
    await expect(client.submitRun({ workflow: missing })).rejects.toMatchObject(refused);
    await expect(
      client.submitBatch({ runs: [{ workflow: generateWorkflow(2) }, { workflow: missing }] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const viaSocket = await client.submit({ workflow: missing }).catch((e: unknown) => e);
    expect(viaSocket).toMatchObject({ code: 'VALIDATION_FAILED', nodeId: 'model', param: 'pack' });
    expect((viaSocket as Error).message).toMatch(/no model pack “no-such-pack” here; the packs are: .*tiny-random/);
    expect((await client.listRuns({ limit: 500 })).length).toBe(runsBefore);
    // So is an upload it lacks (or none chosen), and steps past its limit name its limit, not the schema's.
    const real = JSON.parse(readFileSync(path.join(repoRoot, 'examples/edit-real-image.json'), 'utf8')) as {
      nodes: { id: string; type: string; params: Record<string, unknown> }[];
    };
    const image = real.nodes.find((n) => n.type === 'ptp.loadImage')!;
    for (const [upload, message] of [
      ['f'.repeat(64), /there is no upload ffffffffffff… here/],
      ['', /choose an uploaded image/],
    ] as const) {
      image.params.upload = upload;
      const lost = await client.submitRun({ workflow: real as never }).catch((e: unknown) => e);
      expect(lost).toMatchObject({ status: 422, code: 'VALIDATION_FAILED', nodeId: image.id, param: 'upload' });
      expect((lost as Error).message).toMatch(message);
    }
    expect((await client.listRuns({ limit: 500 })).length).toBe(runsBefore);
    await expect(client.submitRun({ workflow: generateWorkflow(999) })).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: expect.stringMatching(/steps = 999 is over this server's limit of 200/),
    });
  });

  it('drops a socket that sends an oversized message; the server keeps serving others', async () => {
    const heavy = ioClient(server.url, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => heavy.on('connect', () => resolve()));
    const closed = new Promise<string>((resolve) => heavy.on('disconnect', (reason) => resolve(reason)));
    heavy.emit(SOCKET_EVENTS.submit, { workflow: promptWorkflow('y'.repeat(LIMITS.maxSocketMessageBytes + 10)) });
    expect(await closed).toMatch(/transport/);
    heavy.close();
    expect((await (await client.submit({ workflow: promptWorkflow('still fine') })).done).status).toBe('succeeded');
  });
});

describe('safety: socket messages are bounded whole, and replays wait for slow readers', () => {
  const connect = async () => {
    const c = ioClient(server.url, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => c.on('connect', () => resolve()));
    return c;
  };

  it('answers an event the protocol lacks when asked (no client waits for its timeout); the socket goes on', async () => {
    const c = await connect();
    for (const name of ['frobnicate', '__proto__', 'constructor']) {
      const answer = await c.timeout(5000).emitWithAck(name, { x: 1 });
      expect([name, answer]).toEqual([
        name,
        {
          ok: false,
          error: {
            code: 'BAD_REQUEST',
            message: expect.stringMatching(/^unknown event ".*"; the events are run:submit, /),
          },
        },
      ]);
    }
    const followed = await c.timeout(5000).emitWithAck(SOCKET_EVENTS.follow, { runId: 'run_unknown' });
    expect(followed).toMatchObject({ ok: false, error: { code: 'UNKNOWN_RUN' } });
    c.close();
  });

  it('drops a socket whose message carries binary attachments, each under the frame limit', async () => {
    const sender = await connect();
    const closed = new Promise<string>((resolve) => sender.on('disconnect', (reason) => resolve(reason)));
    const part = Buffer.alloc(LIMITS.maxSocketMessageBytes / 2);
    sender.emit(SOCKET_EVENTS.follow, { runId: 'run_x', parts: [part, part, part] });
    expect(await closed).toMatch(/transport/);
    sender.close();
    expect((await client.health()).ok).toBe(true);
  });

  it('answers an ack sent without a payload', async () => {
    const c = await connect();
    expect(await c.timeout(3000).emitWithAck(SOCKET_EVENTS.followQueue)).toEqual({ ok: true });
    expect(await c.timeout(3000).emitWithAck(SOCKET_EVENTS.submit)).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    c.close();
  });

  it('a socket that re-follows a long run without reading gets CLIENT_BEHIND, not another whole replay', async () => {
    // Four tickers of 1,000 ticks: about 4,000 recorded events (with previews) to replay per follow.
    const workflow = {
      ...tickerWorkflow(1000, 0),
      nodes: [0, 1, 2, 3].map((i) => ({
        id: `t${i}`,
        type: 'test.ticker',
        typeVersion: 1,
        params: { ticks: 1000, ms: 0 },
      })),
    };
    const run = await (await client.submit({ workflow })).done;
    expect(run.status).toBe('succeeded');
    const events = (await client.runEvents(run.id)).length;
    const slow = await connect();
    let received = 0;
    slow.on(SOCKET_EVENTS.event, () => received++);
    // Stop reading: the server's writes pile up once the kernel's buffers are full.
    const tcp = (slow.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws
      ._socket;
    tcp.pause();
    const follows = 200;
    const acks = Array.from({ length: follows }, () =>
      slow.timeout(60_000).emitWithAck(SOCKET_EVENTS.follow, { runId: run.id, afterSeq: -1 }),
    );
    await new Promise((r) => setTimeout(r, 1500));
    tcp.resume();
    const answers = (await Promise.all(acks)) as { ok: boolean; error?: { code: string } }[];
    const behind = answers.filter((a) => a.error?.code === 'CLIENT_BEHIND').length;
    expect(behind).toBeGreaterThan(follows / 2);
    expect(answers.filter((a) => a.ok).length + behind).toBe(follows);
    // What was replayed went out, at most once per accepted follow: far from 200 whole replays.
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toBeLessThan((follows / 2) * events);
    slow.close();
    expect((await client.health()).ok).toBe(true);
  }, 120_000);
});

describe('safety: fuzzed socket messages never crash the server', () => {
  it('answers or ignores arbitrary payloads on every event, and still runs a valid graph afterwards', async () => {
    const fuzzer = ioClient(server.url, { transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve) => fuzzer.on('connect', () => resolve()));
    // Client -> server events (each answers an ack) and names the server never handles.
    const { submit, follow, unfollow, cancel, followQueue, unfollowQueue } = SOCKET_EVENTS;
    const known: string[] = [submit, follow, unfollow, cancel, followQueue, unfollowQueue];
    const names = [
      ...known,
      SOCKET_EVENTS.event,
      SOCKET_EVENTS.status,
      SOCKET_EVENTS.preview,
      'error',
      '__proto__',
      'constructor',
      'hasOwnProperty',
      'x',
    ];
    const nearValid = fc.oneof(
      fc.record(
        { workflow: fc.anything(), options: fc.anything(), clientRequestId: fc.anything() },
        { requiredKeys: [] },
      ),
      fc.record(
        { runId: fc.oneof(fc.string(), fc.constant('../../studio.db'), fc.anything()), afterSeq: fc.anything() },
        { requiredKeys: [] },
      ),
      fc.record({
        workflow: fc.record(
          {
            schemaVersion: fc.oneof(fc.constant(2), fc.integer()),
            nodes: fc.array(
              fc.record({
                id: fc.string(),
                type: fc.constantFrom('ptp.prompt', 'ptp.showValue', 'x'),
                typeVersion: fc.integer(),
                params: fc.anything(),
              }),
            ),
            edges: fc.anything(),
          },
          { requiredKeys: [] },
        ),
      }),
    );
    const answers: unknown[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names),
        fc.oneof(fc.anything(), nearValid),
        fc.boolean(),
        async (name, payload, withAck) => {
          if (!fuzzer.connected) return;
          // Handlers of known events always answer an ack; unknown events are ignored (no answer to wait for).
          if (withAck && known.includes(name))
            answers.push(
              await fuzzer
                .timeout(3000)
                .emitWithAck(name, payload)
                .catch(() => 'no-answer'),
            );
          else fuzzer.emit(name, payload);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
    for (const a of answers) {
      expect(a).toMatchObject({ ok: expect.any(Boolean) });
      if (!(a as { ok: boolean }).ok) expect((a as { error: { code: string } }).error.code).toMatch(/^[A-Z_]+$/);
    }
    expect(answers.length).toBeGreaterThan(30);
    expect(fuzzer.connected).toBe(true);
    expect((await client.health()).ok).toBe(true);
    expect((await (await client.submit({ workflow: promptWorkflow('after fuzz') })).done).status).toBe('succeeded');
    fuzzer.close();
  });
});

/** A PNG whose container is complete but whose header claims `w` x `h` (no real pixels). */
function pngHeaderOnly(w: number, h: number): Uint8Array {
  const chunk = (type: string, data: number[]) => {
    const len = [0, 0, 0, data.length];
    return [...len, ...Buffer.from(type, 'ascii'), ...data, 0, 0, 0, 0];
  };
  const be = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  return new Uint8Array([
    137,
    80,
    78,
    71,
    13,
    10,
    26,
    10,
    ...chunk('IHDR', [...be(w), ...be(h), 8, 6, 0, 0, 0]),
    ...chunk('IDAT', [0]),
    ...chunk('IEND', []),
  ]);
}
