import {
  isFinalRunStatus,
  RunAckSchema,
  RunIdMessageSchema,
  RunEventMessageSchema,
  RunPreviewMessageSchema,
  QueueOrderMessageSchema,
  RunStatusMessageSchema,
  SOCKET_EVENTS,
  type QueueOrderMessage,
  type RunRecord,
  type RunRequestInput,
} from '../api/index.js';
import type { RunEvent } from '../events.js';
import { io, type Socket } from 'socket.io-client';
import { StudioApiError, StudioRest, type StudioRestOptions } from './StudioRest.js';

/** A preview frame as the client hands it on: bytes always as Uint8Array. */
export interface RunPreview {
  runId: string;
  nodeId: string;
  seq: number;
  mime: string;
  data: Uint8Array;
}

/** What a queue view hears: every run's status, deletions, and the order of the waiting runs. */
export interface QueueHandlers {
  onStatus(run: RunRecord): void;
  onDeleted?(runId: string): void;
  /** The waiting runs in the order they will start; sent on watching and whenever it changes. */
  onOrder?(order: QueueOrderMessage): void;
}

export interface RunHandlers {
  onEvent?(event: RunEvent): void;
  onPreview?(preview: RunPreview): void;
  onStatus?(run: RunRecord): void;
}

/** A run this client follows. `done` settles with the final record once every event has arrived. */
export interface RunHandle {
  readonly runId: string;
  /** The record as the server last described it. */
  readonly run: RunRecord;
  readonly events: readonly RunEvent[];
  readonly done: Promise<RunRecord>;
  cancel(): Promise<RunRecord>;
  unfollow(): Promise<void>;
}

export interface StudioClientOptions extends StudioRestOptions {
  /** socket.io transports; default websocket first, polling as fallback. */
  transports?: ('websocket' | 'polling')[];
  /** How long a socket request waits for its answer. */
  ackTimeoutMs?: number;
}

interface Followed {
  handle: RunHandle & { run: RunRecord; events: RunEvent[] };
  lastSeq: number;
  handlers: RunHandlers[];
  finalRun: RunRecord | undefined;
  resolve: (run: RunRecord) => void;
}

/**
 * One client for the editor and the CLI: the REST API plus the socket (submit, follow with
 * catch-up after reconnects, cancel). Browser-safe: no Node built-ins.
 */
export class StudioClient extends StudioRest {
  readonly #options: StudioClientOptions;
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  readonly #followed = new Map<string, Followed>();
  readonly #queueWatchers = new Set<QueueHandlers>();

  constructor(options: StudioClientOptions) {
    super(options);
    this.#options = options;
  }

  /** Opens the socket (once); rejects with the server's reason when the handshake is refused. */
  connect(): Promise<Socket> {
    if (this.#socket?.connected) return Promise.resolve(this.#socket);
    this.#connecting ??= new Promise<Socket>((resolve, reject) => {
      // The token rides on every engine.io request (the server checks it before reading frames).
      const socket = io(this.baseUrl || undefined, {
        ...(this.token ? { query: { token: this.token } } : {}),
        transports: this.#options.transports ?? ['websocket', 'polling'],
        reconnectionDelayMax: 2000,
      });
      this.#socket = socket;
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', (err: Error & { data?: { code?: string; message?: string } }) => {
        if (socket.connected) return;
        socket.disconnect();
        this.#connecting = undefined;
        this.#socket = undefined;
        // A refused handshake carries no reason a browser can read: the REST API says why.
        this.health().then(
          () =>
            reject(
              new StudioApiError(403, {
                code: err.data?.code ?? 'CONNECT_FAILED',
                message: err.data?.message ?? err.message,
              }),
            ),
          (why: unknown) =>
            reject(
              why instanceof StudioApiError
                ? why
                : new StudioApiError(503, { code: 'CONNECT_FAILED', message: err.message }),
            ),
        );
      });
      // After a reconnect, ask for what was missed: the server replays from each run's last seq.
      socket.io.on('reconnect', () => {
        for (const [runId, f] of this.#followed)
          void this.#emit(SOCKET_EVENTS.follow, { runId, afterSeq: f.lastSeq }).catch(() => {});
        if (this.#queueWatchers.size) void this.#emit(SOCKET_EVENTS.followQueue, {}).catch(() => {});
      });
      socket.on(SOCKET_EVENTS.event, (msg: unknown) => this.#onEvent(msg));
      socket.on(SOCKET_EVENTS.preview, (msg: unknown) => this.#onPreview(msg));
      socket.on(SOCKET_EVENTS.status, (msg: unknown) => this.#onStatus(msg));
      socket.on(SOCKET_EVENTS.deleted, (msg: unknown) => {
        const parsed = RunIdMessageSchema.safeParse(msg);
        if (parsed.success) for (const w of this.#queueWatchers) w.onDeleted?.(parsed.data.runId);
      });
      socket.on(SOCKET_EVENTS.queueOrder, (msg: unknown) => {
        const parsed = QueueOrderMessageSchema.safeParse(msg);
        if (parsed.success) for (const w of this.#queueWatchers) w.onOrder?.(parsed.data);
      });
    });
    return this.#connecting;
  }

  /** Queues a run over the socket and follows it. */
  async submit(request: RunRequestInput, handlers: RunHandlers = {}): Promise<RunHandle> {
    return this.#track(SOCKET_EVENTS.submit, request, handlers);
  }

  /** Follows a run (any state); events after `afterSeq` are replayed first. */
  async follow(runId: string, handlers: RunHandlers = {}, afterSeq = -1): Promise<RunHandle> {
    const existing = this.#followed.get(runId);
    if (existing) {
      existing.handlers.push(handlers);
      return existing.handle;
    }
    return this.#track(SOCKET_EVENTS.follow, { runId, afterSeq }, handlers);
  }

  /** Status of every run, deletions and the waiting order (queue and history views); returns the function that stops it. */
  async watchQueue(handlers: QueueHandlers): Promise<() => void> {
    // Its own object: the same handlers watched twice are two watchers.
    const watcher = { ...handlers };
    this.#queueWatchers.add(watcher);
    await this.#emit(SOCKET_EVENTS.followQueue, {});
    return () => {
      this.#queueWatchers.delete(watcher);
      if (!this.#queueWatchers.size) void this.#emit(SOCKET_EVENTS.unfollowQueue, {}).catch(() => {});
    };
  }

  /** Cancels over the socket. */
  async cancel(runId: string): Promise<RunRecord> {
    return this.#runAck(await this.#emit(SOCKET_EVENTS.cancel, { runId }));
  }

  close(): void {
    this.#socket?.disconnect();
    this.#socket = undefined;
    this.#connecting = undefined;
  }

  async #track(event: string, payload: unknown, handlers: RunHandlers): Promise<RunHandle> {
    // Registered inside the ack: the events that follow it are never missed.
    let followed: Followed | undefined;
    const run = this.#runAck(
      await this.#emit(event, payload, (answer) => {
        const parsed = RunAckSchema.safeParse(answer);
        if (parsed.success && parsed.data.ok) followed = this.#register(parsed.data.run, handlers);
      }),
    );
    return (followed ?? this.#register(run, handlers)).handle;
  }

  #register(run: RunRecord, handlers: RunHandlers): Followed {
    const existing = this.#followed.get(run.id);
    if (existing) {
      if (!existing.handlers.includes(handlers)) existing.handlers.push(handlers);
      return existing;
    }
    let resolve!: (run: RunRecord) => void;
    const done = new Promise<RunRecord>((r) => (resolve = r));
    const handle = {
      runId: run.id,
      run,
      events: [] as RunEvent[],
      done,
      cancel: () => this.cancel(run.id),
      unfollow: async () => {
        this.#followed.delete(run.id);
        await this.#emit(SOCKET_EVENTS.unfollow, { runId: run.id });
      },
    };
    const f: Followed = { handle, lastSeq: -1, handlers: [handlers], finalRun: undefined, resolve };
    this.#followed.set(run.id, f);
    return f;
  }

  #onEvent(msg: unknown): void {
    const parsed = RunEventMessageSchema.safeParse(msg);
    if (!parsed.success) return;
    const f = this.#followed.get(parsed.data.runId);
    const event = parsed.data.event;
    if (!f || event.seq <= f.lastSeq) return; // a replay overlapping what we have
    f.lastSeq = event.seq;
    f.handle.events.push(event);
    for (const h of f.handlers) h.onEvent?.(event);
    this.#maybeDone(f);
  }

  #onPreview(msg: unknown): void {
    const parsed = RunPreviewMessageSchema.safeParse(msg);
    if (!parsed.success) return;
    const f = this.#followed.get(parsed.data.runId);
    if (!f) return;
    const { data, ...rest } = parsed.data;
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
    for (const h of f.handlers) h.onPreview?.({ ...rest, data: bytes });
  }

  #onStatus(msg: unknown): void {
    const parsed = RunStatusMessageSchema.safeParse(msg);
    if (!parsed.success) return;
    const run = parsed.data.run;
    for (const w of this.#queueWatchers) w.onStatus(run);
    const f = this.#followed.get(run.id);
    if (!f) return;
    f.handle.run = run;
    for (const h of f.handlers) h.onStatus?.(run);
    if (isFinalRunStatus(run.status)) {
      f.finalRun = run;
      this.#maybeDone(f);
    }
  }

  /** Final once the server says so and every event it recorded has arrived. */
  #maybeDone(f: Followed): void {
    if (f.finalRun && f.lastSeq >= f.finalRun.lastSeq) f.resolve(f.finalRun);
  }

  #runAck(answer: unknown): RunRecord {
    const parsed = RunAckSchema.safeParse(answer);
    if (!parsed.success)
      throw new StudioApiError(502, {
        code: 'BAD_ANSWER',
        message: 'the server answered something this client does not understand',
      });
    if (!parsed.data.ok) throw new StudioApiError(400, parsed.data.error);
    return parsed.data.run;
  }

  async #emit(event: string, payload: unknown, onAnswer?: (answer: unknown) => void): Promise<unknown> {
    const socket = await this.connect();
    return new Promise<unknown>((resolve, reject) => {
      socket
        .timeout(this.#options.ackTimeoutMs ?? 30_000)
        .emit(event, payload, (err: Error | null, answer: unknown) => {
          if (err)
            return reject(
              new StudioApiError(504, { code: 'TIMEOUT', message: `no answer to ${event} from the server` }),
            );
          onAnswer?.(answer);
          resolve(answer);
        });
    });
  }
}
