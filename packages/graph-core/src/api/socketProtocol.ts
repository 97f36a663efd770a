import { z } from 'zod';
import { RunEventSchema } from '../events.js';
import { ApiErrorSchema } from './apiErrors.js';
import { ApiIdSchema, RunRecordSchema } from './runs.js';

/** socket.io event names. Client -> server messages take an ack callback; server -> client ones do not. */
export const SOCKET_EVENTS = {
  /** C->S `RunRequest`, ack `RunAck`. The submitter follows the new run automatically. */
  submit: 'run:submit',
  /** C->S `FollowMessage`, ack `RunAck`: replays events with seq > afterSeq, then streams live ones. */
  follow: 'run:follow',
  /** C->S `RunIdMessage`, ack `OkAck`. */
  unfollow: 'run:unfollow',
  /** C->S `RunIdMessage`, ack `RunAck`. */
  cancel: 'run:cancel',
  /** C->S nothing, ack `OkAck`: receive `run:status` for every run (queue views). */
  followQueue: 'queue:follow',
  unfollowQueue: 'queue:unfollow',
  /** S->C `RunEventMessage`: one engine event of a followed run, in seq order. */
  event: 'run:event',
  /** S->C `RunPreviewMessage`: a preview image as a binary frame (progress events carry none over the wire). */
  preview: 'run:preview',
  /** S->C `RunStatusMessage`: a followed run changed state (queued, running, succeeded, ...). */
  status: 'run:status',
  /** S->C `RunIdMessage` to queue followers: a run and its outputs were deleted. */
  deleted: 'run:deleted',
  /**
   * S->C `QueueOrderMessage` to queue followers: the waiting runs in the order they will start,
   * sent when a client starts following the queue and whenever that order changes.
   */
  queueOrder: 'queue:order',
} as const;

export const FollowMessageSchema = z.object({
  runId: ApiIdSchema,
  /** The last seq the client has; omitted = replay everything recorded. */
  afterSeq: z.number().int().min(-1).optional(),
});
export type FollowMessage = z.infer<typeof FollowMessageSchema>;

export const RunIdMessageSchema = z.object({ runId: ApiIdSchema });
export type RunIdMessage = z.infer<typeof RunIdMessageSchema>;

export const RunAckSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), run: RunRecordSchema }),
  z.object({ ok: z.literal(false), error: ApiErrorSchema }),
]);
export type RunAck = z.infer<typeof RunAckSchema>;

export const OkAckSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: ApiErrorSchema }),
]);
export type OkAck = z.infer<typeof OkAckSchema>;

/**
 * The engine's RunEvent, unchanged except that progress previews travel separately as binary
 * `run:preview` frames. `event.runId` equals `runId`; `event.seq` orders a run's events.
 */
export const RunEventMessageSchema = z.object({ runId: ApiIdSchema, event: RunEventSchema });
export type RunEventMessage = z.infer<typeof RunEventMessageSchema>;

/** socket.io delivers binary as Buffer in Node and ArrayBuffer in browsers. */
const isBinary = (v: unknown): boolean => v instanceof Uint8Array || v instanceof ArrayBuffer;
export const RunPreviewMessageSchema = z.object({
  runId: ApiIdSchema,
  nodeId: z.string(),
  /** The seq of the progress event this preview belongs to. */
  seq: z.number().int().nonnegative(),
  mime: z.string(),
  data: z.custom<Uint8Array | ArrayBuffer>(isBinary, 'preview data must be binary'),
});
export type RunPreviewMessage = z.infer<typeof RunPreviewMessageSchema>;

/** At most this many waiting runs are named in a `queue:order` message (the next to start). */
export const QUEUE_ORDER_MAX = 1000;

export const QueueOrderMessageSchema = z.object({
  /** Waiting run ids, the next to start first; index = place in the queue (0 = next). */
  waiting: z.array(ApiIdSchema).max(QUEUE_ORDER_MAX),
  /** How many runs wait in all (more than `waiting` holds when the queue is longer). */
  total: z.number().int().nonnegative(),
  /** Paused: no waiting run starts until the queue is resumed. */
  paused: z.boolean(),
});
export type QueueOrderMessage = z.infer<typeof QueueOrderMessageSchema>;

export const RunStatusMessageSchema = z.object({ run: RunRecordSchema });
export type RunStatusMessage = z.infer<typeof RunStatusMessageSchema>;

/** How a socket authenticates: `io(url, { query: { token } })` (checked on every engine.io request, before frames are read). */
export const SocketAuthSchema = z.object({ token: z.string().max(512).optional() });
