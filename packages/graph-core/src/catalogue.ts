import { z } from 'zod';
import type { AnyNodeDefinition } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { SocketTypeSchema, type SocketType } from './sockets.js';

const SocketSpecSchema = z.object({
  type: SocketTypeSchema,
  label: z.string(),
  description: z.string().optional(),
  optional: z.boolean().optional(),
  multi: z.boolean().optional(),
});

export const CatalogueEntrySchema = z.object({
  type: z.string(),
  version: z.number().int(),
  title: z.string(),
  category: z.string(),
  description: z.string(),
  output: z.boolean(),
  cacheable: z.boolean(),
  inputs: z.record(z.string(), SocketSpecSchema),
  outputs: z.record(z.string(), SocketSpecSchema),
  /** JSON Schema of the params (defaults, bounds, enums) with UI hints such as `step` and `widget`. */
  params: z.record(z.string(), z.unknown()),
  /** The params with every default applied: what a freshly added node holds. */
  defaults: z.record(z.string(), z.unknown()),
});
export type CatalogueEntry = z.infer<typeof CatalogueEntrySchema>;

export const CatalogueSchema = z.object({
  catalogueVersion: z.literal(1),
  sockets: z.object({
    types: z.array(SocketTypeSchema),
    colors: z.record(z.string(), z.string()),
    compatibility: z.record(z.string(), z.array(SocketTypeSchema)),
  }),
  nodes: z.array(CatalogueEntrySchema),
});
export type Catalogue = z.infer<typeof CatalogueSchema>;

function describeSockets(specs: AnyNodeDefinition['inputs'] | AnyNodeDefinition['outputs']): CatalogueEntry['inputs'] {
  const out: CatalogueEntry['inputs'] = {};
  for (const [name, spec] of Object.entries(
    specs as Record<
      string,
      { type: SocketType; label?: string; description?: string; optional?: boolean; multi?: boolean }
    >,
  )) {
    out[name] = {
      type: spec.type,
      label: spec.label ?? name,
      ...(spec.description ? { description: spec.description } : {}),
      ...(spec.optional ? { optional: true } : {}),
      ...(spec.multi ? { multi: true } : {}),
    };
  }
  return out;
}

export function describeNode(def: AnyNodeDefinition): CatalogueEntry {
  const { $schema: _drop, ...params } = z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    type: def.type,
    version: def.version,
    title: def.title,
    category: def.category,
    description: def.description,
    output: def.output ?? false,
    cacheable: def.cacheable ?? true,
    inputs: describeSockets(def.inputs),
    outputs: describeSockets(def.outputs),
    params,
    defaults: def.params.parse({}) as Record<string, unknown>,
  };
}

/** The JSON the editor and the server's `/api/nodes` serve: every node type the registry holds. */
export function buildCatalogue(registry: NodeRegistry): Catalogue {
  return {
    catalogueVersion: 1,
    sockets: {
      types: Object.keys(registry.socketTypes),
      colors: Object.fromEntries(Object.entries(registry.socketTypes).map(([type, spec]) => [type, spec.color])),
      compatibility: Object.fromEntries(
        Object.entries(registry.socketTypes).flatMap(([type, spec]) =>
          spec.widensTo ? [[type, [...spec.widensTo]]] : [],
        ),
      ),
    },
    nodes: registry.list().map(describeNode),
  };
}
