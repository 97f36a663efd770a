import type { NodeResult } from './runResults';

/**
 * How a node's shown result stands to the graph: current; being remade by the run under way;
 * from an earlier run that should have remade it and did not (failed, cancelled); or made before
 * an edit that changes it (the node or something upstream).
 */
export type Freshness = 'current' | 'running' | 'earlier' | 'edited';

export interface FreshnessContext {
  /** The serial of the latest run (RunState.runSerial). */
  runSerial: number;
  /** A run is under way. */
  busy: boolean;
  /** The latest run includes this node (it ran, was cached, or was due to). */
  inRun: boolean;
  /** The node's nodeInputKeys in the graph as it is now. */
  key: string | undefined;
}

export function resultFreshness(result: NodeResult, ctx: FreshnessContext): Freshness {
  const older = result.runSerial !== ctx.runSerial;
  if (older && ctx.inRun && ctx.busy) return 'running';
  if (result.inputsKey !== undefined && ctx.key !== undefined) {
    if (result.inputsKey === ctx.key) return 'current';
    return older && ctx.inRun ? 'earlier' : 'edited';
  }
  return older ? 'earlier' : 'current';
}
