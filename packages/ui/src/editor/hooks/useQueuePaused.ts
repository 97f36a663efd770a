import { useEffect, useState } from 'react';
import { useServices } from '../services/EditorContext';

/** While a run waits on the server: whether its queue is paused (asked now and every 2 s). */
export function useQueuePaused(waiting: boolean): boolean {
  const { server } = useServices();
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (!waiting || !server) return setPaused(false);
    let live = true;
    const ask = () =>
      void server
        .health()
        .then((h) => live && setPaused(h.queue.paused === true))
        .catch(() => undefined);
    ask();
    const timer = setInterval(ask, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [waiting, server]);
  return paused;
}
