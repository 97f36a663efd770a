import { graphError, type GraphError } from './errors.js';

/** What a runner allows the cost-scaling params of a run to reach (the server's `API_LIMITS`). */
export interface RunLimits {
  readonly maxSteps: number;
  readonly maxImageSize: number;
  readonly maxBatch: number;
}

/** Param names whose values scale the work of a node, with the limit each is held to. */
export const BOUNDED_PARAMS: Readonly<Record<string, keyof RunLimits>> = {
  steps: 'maxSteps',
  width: 'maxImageSize',
  height: 'maxImageSize',
  size: 'maxImageSize',
  batch: 'maxBatch',
  batchSize: 'maxBatch',
};

/**
 * The params of `nodeIds` over `limits`, one LIMIT_EXCEEDED per param. The server refuses a run
 * with them and the editor shows them under the field, from this one rule.
 */
export function checkParamLimits(
  params: ReadonlyMap<string, Record<string, unknown>>,
  nodeIds: Iterable<string>,
  limits: RunLimits,
): GraphError[] {
  const over: GraphError[] = [];
  for (const id of nodeIds) {
    for (const [name, value] of Object.entries(params.get(id) ?? {})) {
      const limit = BOUNDED_PARAMS[name];
      if (limit && typeof value === 'number' && value > limits[limit])
        over.push(
          graphError('LIMIT_EXCEEDED', `${name} = ${value} is over this server's limit of ${limits[limit]}`, {
            nodeId: id,
            param: name,
          }),
        );
    }
  }
  return over;
}
