import type { Redis } from 'ioredis';
import { reportOutages } from './redisConnection.js';
import { decodeNotice, type DecodedNotice } from './noticeCodec.js';

/**
 * Listens to the notices channel on its own connection (a subscribed connection can do nothing
 * else). ioredis re-subscribes after a reconnect, so a Redis restart costs the messages sent
 * while it was down, never the subscription; callers catch up from stored state.
 */
export class NoticeSubscriber {
  readonly #sub: Redis;
  readonly #channel: string;
  #onReconnect: (() => void) | undefined;

  constructor(
    base: Redis,
    channel: string,
    onNotice: (notice: DecodedNotice) => void,
    log: (m: string) => void = () => {},
  ) {
    this.#channel = channel;
    this.#sub = base.duplicate();
    reportOutages(this.#sub, { label: 'redis (notices)', log });
    this.#sub.on('messageBuffer', (channelBuf: Buffer, message: Buffer) => {
      if (channelBuf.toString() !== channel) return;
      const notice = decodeNotice(message);
      if (notice) onNotice(notice);
    });
    let first = true;
    this.#sub.on('ready', () => {
      if (first) {
        first = false;
        return;
      }
      this.#onReconnect?.();
    });
  }

  /** Called after the connection came back (not on the first connect). */
  onReconnect(fn: () => void): void {
    this.#onReconnect = fn;
  }

  async start(): Promise<void> {
    await this.#sub.subscribe(this.#channel);
  }

  async close(): Promise<void> {
    await this.#sub.quit().catch(() => this.#sub.disconnect());
  }
}
