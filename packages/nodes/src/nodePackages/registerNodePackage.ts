import {
  defineNode,
  describeNode,
  NodeRunError,
  type AnyNodeDefinition,
  type NodePackageProblem,
  type NodePackageSummary,
  type NodeRegistry,
} from '@ptp/graph-core';
import { z } from 'zod';
import { createNodeRegistry } from '../allNodes.js';

/**
 * What a node package's `register` function receives: the project's own `defineNode`, `z` and
 * `NodeRunError`, so a package never imports the project (or its own zod) and the same plain
 * JavaScript file loads in Node (server, worker, CLI) and in the browser's Web Worker.
 */
export interface NodePackageApi {
  readonly apiVersion: 1;
  readonly defineNode: typeof defineNode;
  readonly z: typeof z;
  readonly NodeRunError: typeof NodeRunError;
}

export const NODE_PACKAGE_API: NodePackageApi = Object.freeze({ apiVersion: 1, defineNode, z, NodeRunError });

/** `name@version` of a package, as origins and problems show it. */
export interface NodePackageIdentity {
  readonly name: string;
  readonly version: string;
}

/** Namespaced like the studio's own `ptp.*`: at least one dot, letters, digits, `_` and `-`. */
const NODE_TYPE = /^[A-Za-z][\w-]*(\.[\w-]+)+$/;
const RESERVED_NAMESPACE = 'ptp.';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Why `def` is not a node definition this runner can register, or undefined when it is. */
export function nodeDefinitionProblem(def: unknown, registry: NodeRegistry): string | undefined {
  if (!isRecord(def)) return 'a node definition must be an object (made with defineNode)';
  const { type } = def;
  if (typeof type !== 'string' || !NODE_TYPE.test(type))
    return `type ${JSON.stringify(type)} must be namespaced, e.g. "mypackage.myNode"`;
  if (type.startsWith(RESERVED_NAMESPACE)) return `type ${type}: the "ptp." namespace is the studio's own`;
  if (!Number.isInteger(def.version) || (def.version as number) < 1) return `${type}: version must be an integer >= 1`;
  for (const key of ['title', 'category', 'description'] as const)
    if (typeof def[key] !== 'string') return `${type}: ${key} must be a string`;
  for (const side of ['inputs', 'outputs'] as const) {
    const specs = def[side];
    if (!isRecord(specs)) return `${type}: ${side} must be an object of sockets`;
    for (const [name, spec] of Object.entries(specs)) {
      const socket = isRecord(spec) ? spec.type : undefined;
      if (typeof socket !== 'string' || !(socket in registry.socketTypes))
        return `${type}: ${side}.${name} has unknown socket type ${JSON.stringify(socket)} (known: ${Object.keys(registry.socketTypes).join(', ')})`;
    }
  }
  if (!(def.params instanceof z.ZodObject))
    return `${type}: params must be a z.object(...) made with the z it was given`;
  if (typeof def.run !== 'function') return `${type}: run must be a function`;
  for (const key of ['check', 'summarize'] as const)
    if (def[key] !== undefined && typeof def[key] !== 'function') return `${type}: ${key} must be a function`;
  try {
    // The catalogue must be able to describe it (JSON Schema of the params, defaults that parse).
    describeNode(def as unknown as AnyNodeDefinition);
  } catch (err) {
    return `${type}: its params cannot be described: ${(err as Error).message}`;
  }
  return undefined;
}

/**
 * Gathers the node types of several packages into one list for `createNodeRegistry`: each
 * package is loaded, registered and checked on its own, so a broken one (throws, bad
 * definitions, a type the studio or another package already has) is reported and skipped while
 * the others and the built-in nodes work. Used by the server, the CLI, the inference worker and
 * the browser runtime, so all of them accept and refuse the same packages.
 */
export class NodePackageCollector {
  readonly nodes: AnyNodeDefinition[] = [];
  readonly problems: NodePackageProblem[] = [];
  readonly packages: NodePackageSummary[] = [];
  readonly #builtIn: NodeRegistry;
  readonly #taken = new Map<string, string>();

  constructor(builtIn: NodeRegistry = createNodeRegistry()) {
    this.#builtIn = builtIn;
  }

  report(problem: NodePackageProblem): void {
    this.problems.push(problem);
  }

  /**
   * Loads one package: `load` returns its module (an `import()`), whose `register(api)` returns
   * (or resolves to) an array of node definitions. `module` is the URL the browser runtime
   * imports it from, when the caller serves it. Returns the types registered.
   */
  async add(id: NodePackageIdentity & { module?: string }, load: () => Promise<unknown>): Promise<string[]> {
    const label = `${id.name}@${id.version}`;
    const fail = (code: NodePackageProblem['code'], message: string, nodeType?: string): [] => {
      this.report({ code, message, package: label, ...(nodeType ? { nodeType } : {}) });
      return [];
    };
    if (this.packages.some((p) => p.name === id.name))
      return fail('PACKAGE_DUPLICATE', `another folder already provided package ${id.name}; this one is skipped`);
    let defs: unknown;
    try {
      const mod: unknown = await load();
      const register = isRecord(mod) ? mod.register : undefined;
      if (typeof register !== 'function')
        return fail('PACKAGE_INVALID', 'the module must export `function register({ defineNode, z, NodeRunError })`');
      defs = await (register as (api: NodePackageApi) => unknown)(NODE_PACKAGE_API);
    } catch (err) {
      return fail('PACKAGE_LOAD_FAILED', `loading failed: ${(err as Error)?.message ?? String(err)}`);
    }
    if (!Array.isArray(defs)) return fail('PACKAGE_INVALID', 'register() must return an array of node definitions');
    const types: string[] = [];
    for (const def of defs as unknown[]) {
      const problem = nodeDefinitionProblem(def, this.#builtIn);
      const type = isRecord(def) && typeof def.type === 'string' ? def.type : undefined;
      if (problem) {
        fail('NODE_INVALID', problem, type);
        continue;
      }
      const owner = this.#builtIn.has(type!) ? 'the studio' : this.#taken.get(type!);
      if (owner) {
        fail('NODE_TYPE_TAKEN', `node type ${type} is already provided by ${owner}; skipped`, type);
        continue;
      }
      this.#taken.set(type!, label);
      this.nodes.push(Object.freeze({ ...(def as AnyNodeDefinition), origin: { package: label } }));
      types.push(type!);
    }
    if (types.length)
      this.packages.push({ name: id.name, version: id.version, ...(id.module ? { module: id.module } : {}), types });
    return types;
  }
}
