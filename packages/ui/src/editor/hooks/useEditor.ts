import type { EditorState } from '../model/EditorStore';
import type { RunState } from '../services/RunController';
import { useServices } from '../services/EditorContext';
import { useStoreSelector } from './useStoreSelector';

/** A slice of the graph state (see useStoreSelector for the selector rules). */
export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStoreSelector(useServices().store, selector);
}

/** A slice of the run state. */
export function useRun<T>(selector: (s: RunState) => T): T {
  return useStoreSelector(useServices().runs, selector);
}
