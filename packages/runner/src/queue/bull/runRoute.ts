import { validateGraph, type NodeRegistry, type RunRequestOptions, type WorkflowDocument } from '@ptp/graph-core';
import { PACK_ID } from '../../packs/PackStore.js';

/**
 * Which workers may run a job: the model packs its graph loads and the provider it asked for.
 * Each route is one BullMQ queue (`runs.<route>`), so a worker only ever fetches jobs it can run:
 * it attaches to the routes whose packs it holds and whose provider is its own or "any".
 *
 * Why a queue per route rather than one queue and a check after fetching: a worker that fetched
 * a job it cannot run would have to put it back, and jobs for a pack only one machine holds would
 * bounce between the others. Routes are few in practice (one per pack, sometimes per pack pair).
 */
export interface RunRoute {
  provider: 'any' | NonNullable<RunRequestOptions['provider']>;
  /** Sorted, unique pack ids; empty for graphs that load no model. */
  packs: string[];
}

const NO_PACKS = '-';

export function routeKey(route: RunRoute): string {
  return `${route.provider}~${route.packs.length ? route.packs.join('+') : NO_PACKS}`;
}

export function parseRouteKey(key: string): RunRoute | undefined {
  const [provider, packs, extra] = key.split('~');
  if (extra !== undefined || !provider || !packs) return undefined;
  if (!['any', 'cpu', 'webgpu', 'cuda'].includes(provider)) return undefined;
  const ids = packs === NO_PACKS ? [] : packs.split('+');
  if (!ids.every((id) => PACK_ID.test(id))) return undefined;
  return { provider: provider as RunRoute['provider'], packs: ids };
}

/** The BullMQ queue name of a route (no ':' — BullMQ builds its keys with it). */
export function routeQueueName(key: string): string {
  return `runs.${key}`;
}

/** Whether a worker with these packs and this provider can run jobs of the route. */
export function canServe(route: RunRoute, worker: { packs: ReadonlySet<string>; provider: string }): boolean {
  return (
    (route.provider === 'any' || route.provider === worker.provider) && route.packs.every((p) => worker.packs.has(p))
  );
}

/**
 * The route of a (prepared, valid) workflow: every param named `pack` after defaults (the load
 * model node's, and any node that loads by pack id), so an omitted param still routes to the
 * default pack's workers.
 */
export function routeOf(workflow: WorkflowDocument, options: RunRequestOptions, registry: NodeRegistry): RunRoute {
  const report = validateGraph(workflow, registry);
  const packs = new Set<string>();
  for (const params of report.params.values()) {
    const pack = params.pack;
    if (typeof pack === 'string' && PACK_ID.test(pack)) packs.add(pack);
  }
  return { provider: options.provider ?? 'any', packs: [...packs].sort() };
}
