import { useCallback, useSyncExternalStore } from 'react';

/** Anything with the subscribe/getState pair of the editor's stores. */
export interface Subscribable<S> {
  subscribe(listener: () => void): () => void;
  getState(): S;
}

/**
 * Reads a slice of a store and re-renders only when that slice changes (by Object.is). Selectors
 * must return stored objects or primitives, never fresh objects, or every update re-renders.
 */
export function useStoreSelector<S, T>(store: Subscribable<S>, selector: (state: S) => T): T {
  const get = useCallback(() => selector(store.getState()), [store, selector]);
  return useSyncExternalStore(store.subscribe, get, get);
}
