import type { NodeRegistry } from './NodeRegistry.js';
import type { ValidationReport } from './validateGraph.js';
import { widgetParamsOf } from './widgetParams.js';

/** A run list shows a few seeds; a graph with more seeded nodes than this is rare. */
export const MAX_RUN_SEEDS = 8;

/**
 * The seeds a run samples with, for run lists (InvokeAI shows an image's seed): the values of every
 * seed param (`.meta({ widget: 'seed' })`, defaults applied) of the nodes it runs, distinct, in
 * graph order, at most MAX_RUN_SEEDS.
 */
export function runSeeds(report: ValidationReport, registry: NodeRegistry, nodeIds: Iterable<string>): number[] {
  const seeds: number[] = [];
  for (const id of nodeIds) {
    const node = report.index.nodes.get(id);
    const def = node && registry.get(node.type);
    if (!def) continue;
    for (const name of widgetParamsOf(def, 'seed')) {
      const value = report.params.get(id)?.[name];
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && !seeds.includes(value)) {
        seeds.push(value);
        if (seeds.length === MAX_RUN_SEEDS) return seeds;
      }
    }
  }
  return seeds;
}
