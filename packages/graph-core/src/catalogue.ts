import { z } from 'zod';
import type { AnyNodeDefinition } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { SocketTypeSchema, type SocketType } from './sockets.js';
import { BOUNDED_PARAMS, type RunLimits } from './paramLimits.js';

const SocketSpecSchema = z.object({
  type: SocketTypeSchema,
  label: z.string(),
  description: z.string().optional(),
  optional: z.boolean().optional(),
  multi: z.boolean().optional(),
});

/** Codes of a node package the loader refused (whole package, or one of its node types). */
export const NODE_PACKAGE_PROBLEM_CODES = [
  'PACKAGE_UNREADABLE',
  'PACKAGE_INVALID',
  'PACKAGE_LOAD_FAILED',
  'PACKAGE_DUPLICATE',
  'NODE_INVALID',
  'NODE_TYPE_TAKEN',
] as const;

export const NodePackageProblemSchema = z.object({
  code: z.enum(NODE_PACKAGE_PROBLEM_CODES),
  message: z.string(),
  /** `name@version` when package.json could be read, else the folder's name. */
  package: z.string(),
  /** The node type refused, when the problem is one type rather than the package. */
  nodeType: z.string().optional(),
});
export type NodePackageProblem = z.infer<typeof NodePackageProblemSchema>;

export const NodePackageSummarySchema = z.object({
  name: z.string(),
  version: z.string(),
  /** URL path of the package's `ptpNodes` module on the runner that lists it. */
  module: z.string().optional(),
  types: z.array(z.string()),
});
export type NodePackageSummary = z.infer<typeof NodePackageSummarySchema>;

export const CatalogueEntrySchema = z.object({
  type: z.string(),
  version: z.number().int(),
  title: z.string(),
  category: z.string(),
  description: z.string(),
  output: z.boolean(),
  cacheable: z.boolean(),
  /** A wire, not a step (Reroute): the editor draws it small and types its output by what feeds it. */
  passThrough: z.boolean().optional(),
  inputs: z.record(z.string(), SocketSpecSchema),
  outputs: z.record(z.string(), SocketSpecSchema),
  /** JSON Schema of the params (defaults, bounds, enums) with UI hints such as `step` and `widget`. */
  params: z.record(z.string(), z.unknown()),
  /** The params with every default applied: what a freshly added node holds. */
  defaults: z.record(z.string(), z.unknown()),
  /** The node package (`name@version`) a third-party type came from; absent for the studio's own nodes. */
  origin: z.object({ package: z.string() }).optional(),
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
  /** The limits of the runner that serves this catalogue; param maxima already honour them. */
  limits: z.object({ maxSteps: z.number(), maxImageSize: z.number(), maxBatch: z.number() }).optional(),
  /** The node packages the runner loaded: the browser runtime imports `module` (a URL path) to run their types. */
  nodePackages: z.array(NodePackageSummarySchema).optional(),
  /** Node packages (or single node types) the runner refused, with why; the rest of the studio works without them. */
  packageProblems: z.array(NodePackageProblemSchema).optional(),
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

/** Lowers the JSON Schema maximum of bounded params (steps, width, ...) to the runner's limits. */
function limitParams(params: Record<string, unknown>, limits: RunLimits | undefined): Record<string, unknown> {
  const props = params.properties as Record<string, Record<string, unknown>> | undefined;
  if (!limits || !props) return params;
  const limited = { ...props };
  for (const [name, key] of Object.entries(BOUNDED_PARAMS)) {
    const prop = props[name];
    if (!prop || (prop.type !== 'integer' && prop.type !== 'number')) continue;
    const max = typeof prop.maximum === 'number' ? Math.min(prop.maximum, limits[key]) : limits[key];
    limited[name] = { ...prop, maximum: max };
  }
  return { ...params, properties: limited };
}

export function describeNode(def: AnyNodeDefinition, limits?: RunLimits): CatalogueEntry {
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
    ...(def.passThrough ? { passThrough: true } : {}),
    inputs: describeSockets(def.inputs),
    outputs: describeSockets(def.outputs),
    params: limitParams(params, limits),
    defaults: def.params.parse({}) as Record<string, unknown>,
    ...(def.origin ? { origin: { package: def.origin.package } } : {}),
  };
}

/**
 * The JSON the editor and the server's `/api/nodes` serve: every node type the registry holds,
 * with the runner's limits when it has any (fields, validation and the server then agree).
 */
export function buildCatalogue(registry: NodeRegistry, options: { limits?: RunLimits } = {}): Catalogue {
  const { limits } = options;
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
    nodes: registry.list().map((def) => describeNode(def, limits)),
    ...(limits
      ? { limits: { maxSteps: limits.maxSteps, maxImageSize: limits.maxImageSize, maxBatch: limits.maxBatch } }
      : {}),
  };
}
