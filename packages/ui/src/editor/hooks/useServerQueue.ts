import { useEffect, useState } from 'react';
import type { QueueOrderMessage } from '@ptp/graph-core';
import type { StudioClient } from '@ptp/graph-core/client';
import { useServices } from '../services/EditorContext';

/** One queue watch per server, shared by every component that shows the queue. */
interface SharedWatch {
  order: QueueOrderMessage | undefined;
  listeners: Set<(order: QueueOrderMessage) => void>;
  stop: Promise<() => void>;
}
const watches = new WeakMap<StudioClient, SharedWatch>();

function watch(server: StudioClient, listener: (order: QueueOrderMessage) => void): () => void {
  let shared = watches.get(server);
  if (!shared) {
    const fresh: SharedWatch = { order: undefined, listeners: new Set(), stop: Promise.resolve(() => {}) };
    fresh.stop = server
      .watchQueue({
        onStatus: () => {},
        onOrder: (order) => {
          fresh.order = order;
          for (const l of fresh.listeners) l(order);
        },
      })
      .catch(() => () => {});
    watches.set(server, (shared = fresh));
  }
  const current = shared;
  current.listeners.add(listener);
  if (current.order) listener(current.order);
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size) return;
    watches.delete(server);
    void current.stop.then((stop) => stop());
  };
}

/**
 * The server's queue as it changes: how many runs wait, in which order, whether it is paused.
 * Undefined until the server has said (and without a server).
 */
export function useServerQueue(): QueueOrderMessage | undefined {
  const { server } = useServices();
  const [order, setOrder] = useState<QueueOrderMessage>();
  useEffect(() => {
    setOrder(undefined);
    if (!server) return;
    return watch(server, setOrder);
  }, [server]);
  return order;
}
