import type { Server as HttpServer, IncomingMessage } from 'node:http';
import {
  checkValueDepth,
  FollowMessageSchema,
  RunIdMessageSchema,
  RunRequestSchema,
  SOCKET_EVENTS,
  type ApiError,
  type ApiLimits,
  type NodeRegistry,
  type OkAck,
  type RunAck,
  type RunEvent,
  type RunEventMessage,
  type RunPreviewMessage,
  type RunRecord,
  type RunStatusMessage,
} from '@ptp/graph-core';
import { Server, type Socket } from 'socket.io';
import { prepareRun } from '../queue/prepareRun.js';
import type { QueueNotice, RunQueue } from '../queue/RunQueue.js';
import { RequestGuard, type GuardVerdict } from './RequestGuard.js';

export interface SocketOptions {
  queue: RunQueue;
  registry: NodeRegistry;
  guard: RequestGuard;
  limits: ApiLimits;
  log?: (message: string) => void;
}

/** Runs one socket follows, with the last seq it has been sent. */
interface Follow {
  lastSeq: number;
  /** While the recorded events are being replayed, live notices wait here (order is kept). */
  pending: QueueNotice[] | undefined;
}

interface Client {
  socket: Socket;
  follows: Map<string, Follow>;
  queue: boolean;
}

const MAX_FOLLOWS = 1000;
/** Previews are dropped (events never) for a client this far behind. */
const MAX_WRITE_BUFFER = 256;

const bad = (message: string): ApiError => ({ code: 'BAD_REQUEST', message });

/**
 * The studio's socket.io endpoint: submit, follow (with catch-up from any seq), unfollow,
 * cancel, queue updates. The handshake passes the same guard as HTTP (Host, Origin, token).
 * Every handler validates its payload and answers through the ack when there is one; nothing a
 * client sends can throw out of a handler.
 */
export function attachSocket(httpServer: HttpServer, options: SocketOptions): Server {
  const { queue, registry, guard, limits } = options;
  const log = options.log ?? (() => {});
  /** Host, Origin and the token (query `token` or Authorization), for any engine.io request. */
  const admit = (req: IncomingMessage): GuardVerdict => {
    const verdict = guard.checkHeaders(req.headers);
    if (!verdict.ok) return verdict;
    return guard.authorize(RequestGuard.tokenOf(req.headers, req.method, req.url, true), req.socket.remoteAddress);
  };
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: limits.maxSocketMessageBytes,
    // Handshakes: refused with the reason as the body, before a session (or any frame) exists.
    allowRequest: (req, callback) => {
      const verdict = admit(req);
      callback(verdict.ok ? null : verdict.error.code, verdict.ok);
    },
  });
  // Every later request of a session (polling GETs and POSTs, the upgrade) passes the same checks
  // before engine.io reads its body: a session id alone never lets frames in.
  io.engine.use((req: IncomingMessage, _res: unknown, next: (err?: Error) => void) => {
    if (!/[?&]sid=/.test(req.url ?? '')) return next(); // a handshake: allowRequest decides
    const verdict = admit(req);
    next(verdict.ok ? undefined : new Error(verdict.error.code));
  });

  const followers = new Map<string, Set<Client>>();
  const clients = new Set<Client>();

  const send = (client: Client, notice: QueueNotice): void => {
    const { socket } = client;
    if (notice.kind === 'status') {
      socket.emit(SOCKET_EVENTS.status, { run: notice.run } satisfies RunStatusMessage);
      return;
    }
    const follow = client.follows.get(notice.runId);
    if (!follow || notice.event.seq <= follow.lastSeq) return;
    follow.lastSeq = notice.event.seq;
    const event = notice.event;
    if (event.type === 'progress' && event.preview) {
      const { preview, ...rest } = event;
      socket.emit(SOCKET_EVENTS.event, { runId: notice.runId, event: rest } satisfies RunEventMessage);
      if (((socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0) < MAX_WRITE_BUFFER) {
        socket.emit(SOCKET_EVENTS.preview, { runId: notice.runId, nodeId: event.nodeId, seq: event.seq, mime: preview.mime, data: Buffer.from(preview.data.buffer, preview.data.byteOffset, preview.data.byteLength) } satisfies RunPreviewMessage);
      }
    } else socket.emit(SOCKET_EVENTS.event, { runId: notice.runId, event } satisfies RunEventMessage);
  };

  const deliver = (client: Client, runId: string, notice: QueueNotice): void => {
    const follow = client.follows.get(runId);
    if (follow?.pending) follow.pending.push(notice);
    else send(client, notice);
  };

  const unsubscribe = queue.subscribe((notice) => {
    const runId = notice.kind === 'event' ? notice.runId : notice.run.id;
    const targets = followers.get(runId);
    for (const client of targets ?? []) deliver(client, runId, notice);
    if (notice.kind === 'status') for (const client of clients) if (client.queue && !targets?.has(client)) send(client, notice);
  });
  io.engine.on('close', () => unsubscribe());
  httpServer.once('close', () => unsubscribe());

  /** Starts following: replays recorded events after `afterSeq`, then live ones, then the current status. */
  const follow = async (client: Client, runId: string, afterSeq: number): Promise<void> => {
    let f = client.follows.get(runId);
    if (!f) {
      f = { lastSeq: afterSeq, pending: [] };
      client.follows.set(runId, f);
      let set = followers.get(runId);
      if (!set) followers.set(runId, (set = new Set()));
      set.add(client);
    } else {
      f.lastSeq = Math.min(f.lastSeq, afterSeq);
      f.pending ??= [];
    }
    const pending = f.pending!;
    try {
      for (const event of (await queue.events(runId, afterSeq)) ?? []) send(client, { kind: 'event', runId, event: event as RunEvent });
    } finally {
      f.pending = undefined;
    }
    for (const notice of pending) send(client, notice);
    const run = await queue.get(runId);
    if (run && client.follows.has(runId)) {
      const { workflow: _w, ...record } = run;
      send(client, { kind: 'status', run: record as RunRecord });
    }
  };

  const unfollow = (client: Client, runId: string): void => {
    client.follows.delete(runId);
    const set = followers.get(runId);
    set?.delete(client);
    if (set?.size === 0) followers.delete(runId);
  };

  io.on('connection', (socket) => {
    const client: Client = { socket, follows: new Map(), queue: false };
    clients.add(client);

    /** Wraps a handler: a missing or non-function ack is tolerated, any throw becomes an error ack. */
    const handle = <A>(name: string, fn: (payload: unknown, reply: (answer: A) => void) => Promise<void>) => {
      socket.on(name, (payload: unknown, ack: unknown) => {
        const reply = (answer: A) => {
          if (typeof ack === 'function') ack(answer);
        };
        // The same nesting bound as every HTTP route, before any schema or recursive step sees it.
        const depth = checkValueDepth(payload, `${name} message`, limits.maxJsonDepth);
        if (!depth.ok) return reply({ ok: false, error: depth.error } as A);
        fn(payload, reply).catch((err: Error) => {
          log(`socket ${name}: ${err.stack ?? err.message}`);
          reply({ ok: false, error: { code: 'INTERNAL', message: 'internal server error' } } as A);
        });
      });
    };

    handle<RunAck>(SOCKET_EVENTS.submit, async (payload, reply) => {
      const request = RunRequestSchema.safeParse(payload);
      if (!request.success) return reply({ ok: false, error: bad(`invalid run request: ${request.error.issues[0]?.message ?? 'malformed'}`) });
      const prepared = prepareRun(request.data, registry, limits);
      if (!prepared.ok) return reply({ ok: false, error: prepared.error });
      if (client.follows.size >= MAX_FOLLOWS) return reply({ ok: false, error: { code: 'LIMIT_EXCEEDED', message: `a socket may follow ${MAX_FOLLOWS} runs at most; unfollow some` } });
      const submitted = await queue.submit(prepared.value);
      if (!submitted.ok) return reply({ ok: false, error: submitted.error });
      reply({ ok: true, run: submitted.value.run });
      await follow(client, submitted.value.run.id, -1);
    });

    handle<RunAck>(SOCKET_EVENTS.follow, async (payload, reply) => {
      const msg = FollowMessageSchema.safeParse(payload);
      if (!msg.success) return reply({ ok: false, error: bad('follow takes { runId, afterSeq? }') });
      const run = await queue.get(msg.data.runId);
      if (!run) return reply({ ok: false, error: { code: 'UNKNOWN_RUN', message: `unknown run "${msg.data.runId}"` } });
      if (!client.follows.has(run.id) && client.follows.size >= MAX_FOLLOWS) return reply({ ok: false, error: { code: 'LIMIT_EXCEEDED', message: `a socket may follow ${MAX_FOLLOWS} runs at most` } });
      const { workflow: _w, ...record } = run;
      reply({ ok: true, run: record as RunRecord });
      await follow(client, run.id, msg.data.afterSeq ?? -1);
    });

    handle<OkAck>(SOCKET_EVENTS.unfollow, async (payload, reply) => {
      const msg = RunIdMessageSchema.safeParse(payload);
      if (!msg.success) return reply({ ok: false, error: bad('unfollow takes { runId }') });
      unfollow(client, msg.data.runId);
      reply({ ok: true });
    });

    handle<RunAck>(SOCKET_EVENTS.cancel, async (payload, reply) => {
      const msg = RunIdMessageSchema.safeParse(payload);
      if (!msg.success) return reply({ ok: false, error: bad('cancel takes { runId }') });
      const result = await queue.cancel(msg.data.runId);
      reply(result.ok ? { ok: true, run: result.value } : { ok: false, error: result.error });
    });

    handle<OkAck>(SOCKET_EVENTS.followQueue, async (_payload, reply) => {
      client.queue = true;
      reply({ ok: true });
    });
    handle<OkAck>(SOCKET_EVENTS.unfollowQueue, async (_payload, reply) => {
      client.queue = false;
      reply({ ok: true });
    });

    socket.on('disconnect', () => {
      for (const runId of [...client.follows.keys()]) unfollow(client, runId);
      clients.delete(client);
    });
  });

  return io;
}
