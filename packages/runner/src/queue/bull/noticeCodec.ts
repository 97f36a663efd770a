import type { RunEvent } from '@ptp/graph-core';
import { z } from 'zod';

/**
 * Messages on the notices channel (Redis pub/sub), which fans live run activity out to every
 * server, sweep and worker: a run's status changed, a run emitted an event (with its preview
 * bytes, which are never stored), a running run was asked to stop. Binary frame:
 * [u32 header length][header JSON][preview bytes]. Stored events live in the run's event list;
 * the channel only carries what is live, so a listener that misses a message catches up from
 * the list (see BullRunQueue).
 */
export const NoticeHeaderSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('status'), runId: z.string() }),
  z.object({
    k: z.literal('event'),
    runId: z.string(),
    event: z.record(z.string(), z.unknown()),
    previewMime: z.string().optional(),
  }),
  z.object({ k: z.literal('cancel'), runId: z.string() }),
  /** The queue itself changed (paused or resumed). */
  z.object({ k: z.literal('queue') }),
]);
export type NoticeHeader = z.infer<typeof NoticeHeaderSchema>;

export type DecodedNotice =
  | { k: 'status'; runId: string }
  | { k: 'event'; runId: string; event: RunEvent }
  | { k: 'cancel'; runId: string }
  | { k: 'queue' };

export function encodeNotice(header: NoticeHeader, payload?: Uint8Array): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(json.length, 0);
  return Buffer.concat(payload ? [head, json, payload] : [head, json]);
}

export function statusNotice(runId: string): Buffer {
  return encodeNotice({ k: 'status', runId });
}

/** An event without its preview bytes (what is stored), and its live notice (with them). */
export function eventNotice(event: RunEvent): { stored: string; notice: Buffer } {
  const preview = event.type === 'progress' ? event.preview : undefined;
  const bare = preview ? (({ preview: _p, ...rest }) => rest)(event as Extract<RunEvent, { type: 'progress' }>) : event;
  const stored = JSON.stringify(bare);
  return {
    stored,
    notice: encodeNotice(
      {
        k: 'event',
        runId: event.runId,
        event: bare as Record<string, unknown>,
        ...(preview ? { previewMime: preview.mime } : {}),
      },
      preview?.data,
    ),
  };
}

/** Undefined for anything malformed (a listener never throws on a stray message). */
export function decodeNotice(message: Buffer): DecodedNotice | undefined {
  if (message.length < 4) return undefined;
  const len = message.readUInt32BE(0);
  if (4 + len > message.length) return undefined;
  let header: NoticeHeader;
  try {
    const parsed = NoticeHeaderSchema.safeParse(JSON.parse(message.subarray(4, 4 + len).toString('utf8')));
    if (!parsed.success) return undefined;
    header = parsed.data;
  } catch {
    return undefined;
  }
  if (header.k !== 'event') return header;
  const event = header.event as unknown as RunEvent;
  if (header.previewMime && event.type === 'progress') {
    // A copy: the subscriber's buffer is reused by the Redis client.
    const data = new Uint8Array(message.subarray(4 + len));
    return { k: 'event', runId: header.runId, event: { ...event, preview: { mime: header.previewMime, data } } };
  }
  return { k: 'event', runId: header.runId, event };
}
