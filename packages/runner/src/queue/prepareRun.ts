import {
  API_LIMITS,
  graphError,
  isError,
  loadDocument,
  runSeeds,
  runTargets,
  validateGraph,
  type ApiLimits,
  type GraphError,
  type NodeRegistry,
  type RunRequest,
  type ValidateOptions,
} from '@ptp/graph-core';
import { apiOk, graphFailure, type ApiResult } from '../ApiResult.js';
import type { PreparedRun } from './RunQueue.js';

export type RunLimits = Pick<ApiLimits, 'maxSteps' | 'maxImageSize' | 'maxBatch'> &
  Partial<Pick<ApiLimits, 'maxParamsBytes'>>;

/**
 * What the runner has: given, a run naming a model pack outside `packs`, or an upload `uploads`
 * lacks, is refused before it is queued.
 */
export type RunnerHas = Pick<ValidateOptions, 'packs' | 'uploads'>;

/**
 * Turns a client's run request into something safe to queue: the document migrated to today's
 * schema, the graph validated as the engine will run it (all problems at once), and the
 * cost-scaling params (steps, image size, batch) held to the server's limits, and, given what the
 * runner has, every Load model and Load image naming a pack and an upload it holds. Nothing
 * reaches the queue otherwise.
 */
export function prepareRun(
  request: RunRequest,
  registry: NodeRegistry,
  limits: RunLimits = API_LIMITS,
  has: RunnerHas = {},
): ApiResult<PreparedRun> {
  const loaded = loadDocument(request.workflow, { registry });
  if (!loaded.ok) return graphFailure('INVALID_DOCUMENT', loaded.errors.filter(isError));
  const doc = loaded.value;
  // With the server's limits, so steps over them are named with this server's figure, not the schema's.
  const report = validateGraph(doc, registry, { ...has, limits });
  // The same rule as the engine: with explicit targets, problems in other branches don't block.
  const { needed, blocking } = runTargets(report, request.options.targets);
  const errors = blocking.filter(isError);
  if (errors.length)
    return graphFailure(
      errors.every((e) => e.code === 'LIMIT_EXCEEDED') ? 'LIMIT_EXCEEDED' : 'VALIDATION_FAILED',
      errors,
    );

  const over: GraphError[] = [];
  const maxParamsBytes = limits.maxParamsBytes ?? API_LIMITS.maxParamsBytes;
  for (const node of doc.nodes) {
    const bytes = JSON.stringify(node.params ?? {}).length;
    if (bytes > maxParamsBytes)
      over.push(
        graphError(
          'INVALID_PARAM',
          `the params of this node take ${bytes} bytes as JSON; this server's limit is ${maxParamsBytes}`,
          { nodeId: node.id },
        ),
      );
  }
  if (over.length) return graphFailure('LIMIT_EXCEEDED', over);
  const seeds = runSeeds(report, registry, needed);
  return apiOk({
    workflow: doc,
    options: request.options,
    ...(seeds.length ? { seeds } : {}),
    ...(request.clientRequestId ? { clientRequestId: request.clientRequestId } : {}),
    ...(request.batch ? { batch: request.batch } : {}),
    ...(request.front ? { front: true } : {}),
  });
}
