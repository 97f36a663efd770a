import { graphError, type GraphError } from './errors.js';
import type { GraphIndex } from './graphIndex.js';
import type { AnyNodeDefinition } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { widgetParamsOf } from './widgetParams.js';

/** The params of a node type that name a model pack (declared with `.meta({ widget: 'pack' })`). */
export const packParamsOf = (def: AnyNodeDefinition): readonly string[] => widgetParamsOf(def, 'pack');

/**
 * One UNKNOWN_PACK per pack param (Load model's `pack`) that names none of `known`, the packs
 * the runner can load: the editor marks the field before a run instead of the run failing on it.
 */
export function checkPackParams(
  index: GraphIndex,
  registry: NodeRegistry,
  params: ReadonlyMap<string, Record<string, unknown>>,
  known: readonly string[],
): GraphError[] {
  const problems: GraphError[] = [];
  const list = known.length ? known.join(', ') : 'none';
  for (const node of index.nodes.values()) {
    const def = registry.get(node.type);
    if (!def) continue;
    for (const name of packParamsOf(def)) {
      const value = params.get(node.id)?.[name];
      if (typeof value === 'string' && !known.includes(value))
        problems.push(
          graphError('UNKNOWN_PACK', `there is no model pack “${value}” here; the packs are: ${list}`, {
            nodeId: node.id,
            nodeType: node.type,
            param: name,
          }),
        );
    }
  }
  return problems;
}
