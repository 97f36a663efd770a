import type { CatalogueEntry } from '../catalogue.js';
import { subgraphIdOf, subgraphType, type Subgraph } from '../document/WorkflowDocument.js';
import { own } from '../own.js';

/** The palette category of blocks (the document's own and the ones it can add). */
export const BLOCK_CATEGORY = 'my blocks';

/**
 * Catalogue entries for block definitions, so the editor shows, connects and edits a block node
 * like any other: its sockets take the types of the inner sockets they expose, its params the
 * inner params' schemas with the inner node's value as the default. Blocks inside blocks resolve
 * through each other; a definition that cannot (unknown types, recursion) gets `ANY` sockets.
 */
export function blockEntries(
  subgraphs: readonly Subgraph[],
  entryOf: (type: string) => CatalogueEntry | undefined,
): CatalogueEntry[] {
  const defs = new Map(subgraphs.map((s) => [s.id, s]));
  const made = new Map<string, CatalogueEntry>();
  const making = new Set<string>();
  const lookup = (type: string): CatalogueEntry | undefined => {
    const id = subgraphIdOf(type);
    if (id === undefined) return entryOf(type);
    const def = defs.get(id);
    if (!def || making.has(id)) return undefined;
    return build(def);
  };
  const build = (def: Subgraph): CatalogueEntry => {
    const known = made.get(def.id);
    if (known) return known;
    making.add(def.id);
    const innerEntry = (node: string) => {
      const n = def.nodes.find((x) => x.id === node);
      return n ? { node: n, entry: lookup(n.type) } : undefined;
    };
    const inputs: CatalogueEntry['inputs'] = {};
    for (const i of def.inputs) {
      const specs = i.targets.map((t) => own(innerEntry(t.node)?.entry?.inputs, t.input));
      const first = specs.find((s) => s !== undefined);
      inputs[i.name] = {
        type: first?.type ?? 'ANY',
        // The inner socket's label while the name is the inner one's; a renamed or de-duplicated name as is.
        label: i.label ?? (i.name === i.targets[0]?.input ? (first?.label ?? i.name) : i.name),
        ...(specs.every((s) => s?.optional || s?.multi) ? { optional: true } : {}),
      };
    }
    const outputs: CatalogueEntry['outputs'] = {};
    for (const o of def.outputs) {
      const spec = own(innerEntry(o.from.node)?.entry?.outputs, o.from.output);
      outputs[o.name] = {
        type: spec?.type ?? 'ANY',
        label: o.label ?? (o.name === o.from.output ? (spec?.label ?? o.name) : o.name),
      };
    }
    const properties: Record<string, unknown> = {};
    // The inner nodes' values, so a param the block node leaves unset shows what will run.
    const defaults: Record<string, unknown> = {};
    for (const p of def.params) {
      const inner = innerEntry(p.node);
      const props = (inner?.entry?.params.properties ?? {}) as Record<string, Record<string, unknown>>;
      const value = own(inner?.node.params, p.param) ?? own(inner?.entry?.defaults, p.param);
      properties[p.name] = {
        ...(own(props, p.param) ?? {}),
        ...(value !== undefined ? { default: value } : {}),
        ...(p.label ? { title: p.label } : {}),
      };
      if (value !== undefined) defaults[p.name] = value;
    }
    const innerEntries = def.nodes.map((n) => lookup(n.type));
    const entry: CatalogueEntry = {
      type: subgraphType(def.id),
      version: 1,
      title: def.name,
      category: BLOCK_CATEGORY,
      description: def.description || `A block of ${def.nodes.length} nodes.`,
      output: innerEntries.some((e) => e?.output),
      cacheable: innerEntries.every((e) => e?.cacheable !== false),
      inputs,
      outputs,
      params: { type: 'object', properties, additionalProperties: false },
      defaults,
    };
    making.delete(def.id);
    made.set(def.id, entry);
    return entry;
  };
  return subgraphs.map(build);
}
