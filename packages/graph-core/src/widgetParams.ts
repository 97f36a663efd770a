import { graphError, type ErrorCode, type GraphError } from './errors.js';
import type { GraphIndex } from './graphIndex.js';
import type { AnyNodeDefinition } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';

const byDefinition = new WeakMap<AnyNodeDefinition, Map<string, readonly string[]>>();

/**
 * The params of a node type declared with `.meta({ widget })`: `pack` names a model pack, `seed`
 * a sampling seed. Read from the zod shape once per definition and widget.
 */
export function widgetParamsOf(def: AnyNodeDefinition, widget: string): readonly string[] {
  let found = byDefinition.get(def);
  if (!found) byDefinition.set(def, (found = new Map()));
  let names = found.get(widget);
  if (!names) {
    const shape = (def.params as { shape?: Record<string, { meta?: () => unknown }> }).shape ?? {};
    names = Object.entries(shape)
      .filter(([, schema]) => (schema.meta?.() as { widget?: unknown } | undefined)?.widget === widget)
      .map(([name]) => name);
    found.set(widget, names);
  }
  return names;
}

/** Which widget's params to check, what a runner has of them, and how a missing one is told. */
export interface WidgetCheck {
  widget: string;
  known(value: string): boolean;
  code: ErrorCode;
  message(value: string): string;
}

/**
 * One `check.code` error per `check.widget` param whose string value the runner lacks (a pack, an
 * upload): the editor marks the field and the server refuses the run before it is queued, instead
 * of the run failing on it.
 */
export function checkWidgetParams(
  index: GraphIndex,
  registry: NodeRegistry,
  params: ReadonlyMap<string, Record<string, unknown>>,
  check: WidgetCheck,
): GraphError[] {
  const { widget, known, code, message } = check;
  const problems: GraphError[] = [];
  for (const node of index.nodes.values()) {
    const def = registry.get(node.type);
    if (!def) continue;
    for (const name of widgetParamsOf(def, widget)) {
      const value = params.get(node.id)?.[name];
      if (typeof value === 'string' && value !== '' && !known(value))
        problems.push(graphError(code, message(value), { nodeId: node.id, nodeType: node.type, param: name }));
    }
  }
  return problems;
}
