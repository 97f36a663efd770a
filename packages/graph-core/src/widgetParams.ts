import type { AnyNodeDefinition } from './NodeDefinition.js';

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
