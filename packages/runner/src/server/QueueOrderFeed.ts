import { QUEUE_ORDER_MAX, type QueueOrderMessage } from '@ptp/graph-core';
import { waitingInOrder } from '../queue/cancelRuns.js';
import type { RunQueue } from '../queue/RunQueue.js';

/** The waiting runs in the order they will start (the first QUEUE_ORDER_MAX named), as queue followers see it. */
export async function readQueueOrder(queue: RunQueue, maxQueued: number): Promise<QueueOrderMessage> {
  const [waiting, stats] = await Promise.all([waitingInOrder(queue, maxQueued), queue.stats()]);
  return {
    waiting: waiting.slice(0, QUEUE_ORDER_MAX).map((r) => r.id),
    total: Math.max(stats.queued, waiting.length),
    paused: stats.paused,
  };
}

/**
 * Tells queue followers the waiting order whenever it may have changed (a run queued, started,
 * cancelled, put in front; the queue paused or resumed), so a waiting run's place never goes
 * stale on their screens. Status changes come in bursts (a batch of 100 runs), so reads are
 * coalesced: at most one read per `delayMs`, never two at once, and a message only when the
 * order differs from the last one sent.
 */
export class QueueOrderFeed {
  readonly #queue: RunQueue;
  readonly #maxQueued: number;
  readonly #send: (order: QueueOrderMessage) => void;
  readonly #delayMs: number;
  readonly #log: (message: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reading = false;
  #again = false;
  #closed = false;
  #last = '';

  constructor(o: {
    queue: RunQueue;
    /** The queue's bound on waiting runs. */
    maxQueued: number;
    send: (order: QueueOrderMessage) => void;
    delayMs?: number;
    log?: (message: string) => void;
  }) {
    this.#queue = o.queue;
    this.#maxQueued = o.maxQueued;
    this.#send = o.send;
    this.#delayMs = o.delayMs ?? 100;
    this.#log = o.log ?? (() => {});
  }

  /** The order may have changed: read it soon, and send it if it did. */
  changed(): void {
    if (this.#closed || this.#timer) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#timer = setTimeout(() => void this.#flush(), this.#delayMs);
  }

  /** Someone new listens: send the order even if it is the one sent last. */
  resend(): void {
    this.#last = '';
    this.changed();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    this.#reading = true;
    try {
      const order = await readQueueOrder(this.#queue, this.#maxQueued);
      const key = `${order.paused}:${order.total}:${order.waiting.join(',')}`;
      if (!this.#closed && key !== this.#last) {
        this.#last = key;
        this.#send(order);
      }
    } catch (err) {
      this.#log(`queue order: ${(err as Error).message}`);
    } finally {
      this.#reading = false;
      if (this.#again) {
        this.#again = false;
        this.changed();
      }
    }
  }
}
