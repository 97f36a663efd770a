import type { EditorState } from '../model/EditorStore';
import type { RunState } from '../services/RunController';
import { useServices } from '../services/EditorContext';
import { useStoreSelector } from './useStoreSelector';
import { isRunActive } from '../model/runStatus';
import { resultFreshness, type Freshness } from '../model/resultFreshness';
import type { NodeResult } from '../model/runResults';

/** A slice of the graph state (see useStoreSelector for the selector rules). */
export function useEditor<T>(selector: (s: EditorState) => T): T {
  return useStoreSelector(useServices().store, selector);
}

/** A slice of the run state. */
export function useRun<T>(selector: (s: RunState) => T): T {
  return useStoreSelector(useServices().runs, selector);
}

/**
 * How node `id`'s result stands to the graph as it is now (see resultFreshness); undefined
 * without a result. The graph's keys are computed only for nodes that have something to mark.
 */
export function useFreshness(id: string, result: NodeResult | undefined): Freshness | undefined {
  const { store } = useServices();
  const has = result !== undefined;
  const key = useEditor(() => (has ? store.canvasInputKeys().get(id) : undefined));
  const runSerial = useRun((s) => s.runSerial);
  const busy = useRun((s) => isRunActive(s.view));
  const inRun = useRun((s) => s.view.nodes[id] !== undefined);
  return result ? resultFreshness(result, { runSerial, busy, inRun, key }) : undefined;
}

/** Whether node `id` is as the last run ran it (its timing and "cached" badges still apply). */
export function useAsLastRun(id: string, hasStatus: boolean): boolean {
  const { store } = useServices();
  const busy = useRun((s) => isRunActive(s.view));
  const ranKey = useRun((s) => s.ranKeys.get(id));
  const key = useEditor(() => (hasStatus && !busy ? store.canvasInputKeys().get(id) : undefined));
  return busy || (hasStatus && key === ranKey);
}
