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
  type RunDetail,
  type RunEvent,
  type RunEventMessage,
  type RunPreviewMessage,
  type RunRecord,
  type RunStatusMessage,
} from '@ptp/graph-core';
import { Server, type Socket } from 'socket.io';
import * as parser from 'socket.io-parser';
import { prepareRun, type RunnerHas } from '../queue/prepareRun.js';
import type { QueueNotice, RunQueue } from '../queue/RunQueue.js';
import { QueueOrderFeed } from './QueueOrderFeed.js';
import { RequestGuard, type GuardVerdict } from './RequestGuard.js';

export interface SocketOptions {
  queue: RunQueue;
  registry: NodeRegistry;
  guard: RequestGuard;
  limits: ApiLimits;
  log?: (message: string) => void;
  /** What runs can name (packs, uploads), checked before a run is queued (absent: not checked). */
  has?: () => Promise<RunnerHas>;
}

/** What concerns one run (the queue's own changes reach clients as `queue:order`). */
type RunNotice = Exclude<QueueNotice, { kind: 'queue' }>;

/** Runs one socket follows, with the last seq it has been sent. */
interface Follow {
  lastSeq: number;
  /** While the recorded events are being replayed, live notices wait here (order is kept). */
  pending: RunNotice[] | undefined;
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
  const log = options.log ?? (() => {});
  const io = createGuardedServer(httpServer, options.guard, options.limits);
  const hub = new FollowHub(options.queue, options.limits.maxQueuedRuns, log);
  const stopNotices = options.queue.subscribe((notice) => hub.dispatch(notice));
  const unsubscribe = () => {
    stopNotices();
    hub.close();
  };
  io.engine.on('close', () => unsubscribe());
  httpServer.once('close', () => unsubscribe());
  io.on('connection', (socket) => new ClientSession(socket, hub, { ...options, log }).listen());
  return io;
}

/**
 * A socket.io server whose handshake and every later engine.io request pass the guard: Host,
 * Origin and the token (query `token` or Authorization).
 */
class JsonOnlyDecoder extends parser.Decoder {
  constructor() {
    super({ maxAttachments: 0 });
  }
}
const jsonOnlyParser = { protocol: parser.protocol, Encoder: parser.Encoder, Decoder: JsonOnlyDecoder };

function createGuardedServer(httpServer: HttpServer, guard: RequestGuard, limits: ApiLimits): Server {
  const admit = (req: IncomingMessage): GuardVerdict => {
    const verdict = guard.checkHeaders(req.headers);
    if (!verdict.ok) return verdict;
    return guard.authorize(RequestGuard.tokenOf(req.headers, req.method, req.url, true), req.socket.remoteAddress);
  };
  const io = new Server(httpServer, {
    serveClient: false,
    maxHttpBufferSize: limits.maxSocketMessageBytes,
    // maxHttpBufferSize bounds each frame; a message's binary attachments are frames of their
    // own (10 by default). Clients send JSON only, so a message with any attachment is refused.
    parser: jsonOnlyParser,
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
  return io;
}

/** Sends one queue notice to one client: a status always, an event only past the client's last seq. */
function send(client: Client, notice: RunNotice): void {
  const { socket } = client;
  if (notice.kind === 'deleted') {
    socket.emit(SOCKET_EVENTS.deleted, { runId: notice.runId });
    return;
  }
  if (notice.kind === 'status') {
    socket.emit(SOCKET_EVENTS.status, { run: notice.run } satisfies RunStatusMessage);
    return;
  }
  const follow = client.follows.get(notice.runId);
  if (!follow || notice.event.seq <= follow.lastSeq) return;
  follow.lastSeq = notice.event.seq;
  const event = notice.event;
  if (event.type === 'progress' && event.preview) sendProgressWithPreview(socket, notice.runId, event);
  else socket.emit(SOCKET_EVENTS.event, { runId: notice.runId, event } satisfies RunEventMessage);
}

type ProgressEvent = Extract<RunEvent, { type: 'progress' }>;

/** The event without its image, then the image as binary unless the client is too far behind. */
function sendProgressWithPreview(socket: Socket, runId: string, event: ProgressEvent): void {
  const { preview, ...rest } = event;
  socket.emit(SOCKET_EVENTS.event, { runId, event: rest } satisfies RunEventMessage);
  if (!preview || writeBufferLength(socket) >= MAX_WRITE_BUFFER) return;
  const data = Buffer.from(preview.data.buffer, preview.data.byteOffset, preview.data.byteLength);
  socket.emit(SOCKET_EVENTS.preview, {
    runId,
    nodeId: event.nodeId,
    seq: event.seq,
    mime: preview.mime,
    data,
  } satisfies RunPreviewMessage);
}

const writeBufferLength = (socket: Socket): number =>
  (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;

/** A run's record as the wire shows it: without the workflow. */
function publicRecord(run: RunDetail): RunRecord {
  const { workflow: _w, ...record } = run;
  return record as RunRecord;
}

/** Who follows which run, and the queue's notices fanned out to them. */
class FollowHub {
  private readonly followers = new Map<string, Set<Client>>();
  private readonly clients = new Set<Client>();
  private readonly order: QueueOrderFeed;

  constructor(
    private readonly queue: RunQueue,
    maxQueued: number,
    log: (message: string) => void,
  ) {
    this.order = new QueueOrderFeed({
      queue,
      maxQueued,
      log,
      send: (order) => {
        for (const client of this.clients) if (client.queue) client.socket.emit(SOCKET_EVENTS.queueOrder, order);
      },
    });
  }

  /** A client started following the queue: it gets the waiting order (everyone gets it again). */
  queueFollowed(): void {
    this.order.resend();
  }

  close(): void {
    this.order.close();
  }

  add(client: Client): void {
    this.clients.add(client);
  }

  remove(client: Client): void {
    for (const runId of [...client.follows.keys()]) this.unfollow(client, runId);
    this.clients.delete(client);
  }

  /** A queue notice to the run's followers, and a status also to every client following the queue. */
  dispatch(notice: QueueNotice): void {
    if (notice.kind === 'queue') {
      if ([...this.clients].some((c) => c.queue)) this.order.changed();
      return;
    }
    const runId = notice.kind === 'status' ? notice.run.id : notice.runId;
    const targets = this.followers.get(runId);
    for (const client of targets ?? []) this.deliver(client, runId, notice);
    if (notice.kind === 'event') return;
    let queueFollowers = false;
    for (const client of this.clients) {
      if (!client.queue) continue;
      queueFollowers = true;
      if (!targets?.has(client)) send(client, notice);
    }
    // A status change may move the waiting runs (one started, was cancelled, went in front).
    if (queueFollowers && notice.kind === 'status') this.order.changed();
  }

  /** Starts following: replays recorded events after `afterSeq`, then live ones, then the current status. */
  async follow(client: Client, runId: string, afterSeq: number): Promise<void> {
    const f = this.register(client, runId, afterSeq);
    const pending = f.pending!;
    try {
      for (const event of (await this.queue.events(runId, afterSeq)) ?? [])
        send(client, { kind: 'event', runId, event: event as RunEvent });
    } finally {
      f.pending = undefined;
    }
    for (const notice of pending) send(client, notice);
    const run = await this.queue.get(runId);
    if (run && client.follows.has(runId)) send(client, { kind: 'status', run: publicRecord(run) });
  }

  unfollow(client: Client, runId: string): void {
    client.follows.delete(runId);
    const set = this.followers.get(runId);
    set?.delete(client);
    if (set?.size === 0) this.followers.delete(runId);
  }

  /** The client's follow of the run, new or rewound to `afterSeq`, holding live notices until the replay ends. */
  private register(client: Client, runId: string, afterSeq: number): Follow {
    const existing = client.follows.get(runId);
    if (existing) {
      existing.lastSeq = Math.min(existing.lastSeq, afterSeq);
      existing.pending ??= [];
      return existing;
    }
    const f: Follow = { lastSeq: afterSeq, pending: [] };
    client.follows.set(runId, f);
    let set = this.followers.get(runId);
    if (!set) this.followers.set(runId, (set = new Set()));
    set.add(client);
    return f;
  }

  private deliver(client: Client, runId: string, notice: RunNotice): void {
    const follow = client.follows.get(runId);
    if (follow?.pending) follow.pending.push(notice);
    else send(client, notice);
  }
}

type Reply<A> = (answer: A) => void;

/** One connected socket: its handlers, each validating its payload and answering through the ack. */
class ClientSession {
  private readonly client: Client;
  private replays: Promise<void> = Promise.resolve();
  /** The events this session answers (registered by `handle`). */
  private readonly handled = new Set<string>();

  constructor(
    private readonly socket: Socket,
    private readonly hub: FollowHub,
    private readonly options: SocketOptions & { log: (message: string) => void },
  ) {
    this.client = { socket, follows: new Map(), queue: false };
  }

  listen(): void {
    this.hub.add(this.client);
    this.handle<RunAck>(SOCKET_EVENTS.submit, (payload, reply) => this.submit(payload, reply));
    this.handle<RunAck>(SOCKET_EVENTS.follow, (payload, reply) => this.follow(payload, reply));
    this.handle<OkAck>(SOCKET_EVENTS.unfollow, (payload, reply) => this.unfollow(payload, reply));
    this.handle<RunAck>(SOCKET_EVENTS.cancel, (payload, reply) => this.cancel(payload, reply));
    this.handle<OkAck>(SOCKET_EVENTS.followQueue, async (_payload, reply) => this.followQueue(true, reply));
    this.handle<OkAck>(SOCKET_EVENTS.unfollowQueue, async (_payload, reply) => this.followQueue(false, reply));
    // An event the protocol does not have still gets an answer when it asks for one, instead of
    // leaving the client to its own timeout.
    this.socket.onAny((name: string, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (!this.handled.has(name) && typeof ack === 'function')
        ack({
          ok: false,
          error: bad(`unknown event "${String(name).slice(0, 64)}"; the events are ${[...this.handled].join(', ')}`),
        });
    });
    this.socket.on('disconnect', () => this.hub.remove(this.client));
  }

  /** Wraps a handler: a missing or non-function ack is tolerated, any throw becomes an error ack. */
  private handle<A>(name: string, fn: (payload: unknown, reply: Reply<A>) => Promise<void>): void {
    const { limits, log } = this.options;
    this.handled.add(name);
    this.socket.on(name, (...args: unknown[]) => {
      // socket.io passes the ack last: `emit(name, cb)` without a payload makes it the first argument.
      const ack = args.at(-1);
      const payload = typeof args[0] === 'function' ? undefined : args[0];
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
  }

  private async submit(payload: unknown, reply: Reply<RunAck>): Promise<void> {
    const { queue, registry, limits } = this.options;
    const request = RunRequestSchema.safeParse(payload);
    if (!request.success)
      return reply({
        ok: false,
        error: bad(`invalid run request: ${request.error.issues[0]?.message ?? 'malformed'}`),
      });
    const prepared = prepareRun(request.data, registry, limits, await this.options.has?.());
    if (!prepared.ok) return reply({ ok: false, error: prepared.error });
    if (this.client.follows.size >= MAX_FOLLOWS)
      return reply({
        ok: false,
        error: { code: 'LIMIT_EXCEEDED', message: `a socket may follow ${MAX_FOLLOWS} runs at most; unfollow some` },
      });
    const submitted = await queue.submit(prepared.value);
    if (!submitted.ok) return reply({ ok: false, error: submitted.error });
    reply({ ok: true, run: submitted.value.run });
    await this.hub.follow(this.client, submitted.value.run.id, -1);
  }

  private async follow(payload: unknown, reply: Reply<RunAck>): Promise<void> {
    const msg = FollowMessageSchema.safeParse(payload);
    if (!msg.success) return reply({ ok: false, error: bad('follow takes { runId, afterSeq? }') });
    const run = await this.options.queue.get(msg.data.runId);
    if (!run) return reply({ ok: false, error: { code: 'UNKNOWN_RUN', message: `unknown run "${msg.data.runId}"` } });
    if (!this.client.follows.has(run.id) && this.client.follows.size >= MAX_FOLLOWS)
      return reply({
        ok: false,
        error: { code: 'LIMIT_EXCEEDED', message: `a socket may follow ${MAX_FOLLOWS} runs at most` },
      });
    // One replay at a time per socket, and none while it has not read what went before: each
    // follow of a long run from the start would otherwise queue all its events again here.
    const turn = this.replays.then(async () => {
      const unread = writeBufferLength(this.socket);
      if (unread >= MAX_WRITE_BUFFER)
        return reply({
          ok: false,
          error: {
            code: 'CLIENT_BEHIND',
            message: `this socket has ${unread} messages it has not read yet; follow again once it has`,
          },
        });
      reply({ ok: true, run: publicRecord(run) });
      await this.hub.follow(this.client, run.id, msg.data.afterSeq ?? -1);
    });
    this.replays = turn.catch(() => {});
    await turn;
  }

  private async unfollow(payload: unknown, reply: Reply<OkAck>): Promise<void> {
    const msg = RunIdMessageSchema.safeParse(payload);
    if (!msg.success) return reply({ ok: false, error: bad('unfollow takes { runId }') });
    this.hub.unfollow(this.client, msg.data.runId);
    reply({ ok: true });
  }

  private async cancel(payload: unknown, reply: Reply<RunAck>): Promise<void> {
    const msg = RunIdMessageSchema.safeParse(payload);
    if (!msg.success) return reply({ ok: false, error: bad('cancel takes { runId }') });
    const result = await this.options.queue.cancel(msg.data.runId);
    reply(result.ok ? { ok: true, run: result.value } : { ok: false, error: result.error });
  }

  private followQueue(on: boolean, reply: Reply<OkAck>): void {
    this.client.queue = on;
    reply({ ok: true });
    if (on) this.hub.queueFollowed();
  }
}
