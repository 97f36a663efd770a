import {
  DOCUMENT_LIMITS,
  subgraphIdOf,
  subgraphType,
  type Subgraph,
  type WorkflowDocument,
  type WorkflowEdge,
  type WorkflowNode,
} from '../document/WorkflowDocument.js';
import { graphError, graphWarning, type GraphError } from '../errors.js';

/** Where a node of the flattened graph came from: which top-level block node, which node inside it. */
export interface FlatOrigin {
  /** The block node of the document that holds it (top level). */
  readonly instance: string;
  /** That block node's definition id. */
  readonly subgraph: string;
  /** Its id inside the definition; `a/b` when it sits in a block nested in the block. */
  readonly inner: string;
}

/** A document with every block node replaced by its inner nodes. */
export interface FlatDocument {
  /** The same object as the input when it uses no blocks. */
  readonly doc: WorkflowDocument;
  /** Flattened node id -> origin, for every node that came out of a block. */
  readonly origins: ReadonlyMap<string, FlatOrigin>;
  /** Block definitions by id (the document's). */
  readonly definitions: ReadonlyMap<string, Subgraph>;
  /** Each expanded block node's outputs, by exposed name, as the flattened node outputs they are. */
  readonly blockOutputs: ReadonlyMap<string, ReadonlyMap<string, { node: string; output: string }>>;
  /** Problems only flattening sees: unknown or recursive blocks, exposed names that do not exist. */
  readonly errors: GraphError[];
}

/** Separates a block node's id from its inner node ids in the flattened graph: `block/inner`. */
export const FLAT_ID_SEPARATOR = '/';

interface Endpoint {
  node: string;
  port: string;
}

/**
 * Replaces every block (`subgraph:<id>`) node, recursively, by its definition's nodes, with ids
 * `<block node id>/<inner id>`; the block node's params override the inner params they expose, and
 * edges to or from the block's sockets are re-attached to the inner sockets they stand for. Node
 * types, params and inputs stay what they were, so every node's cache signature (which never includes
 * its id) is the one it has in the unfolded graph. Bounded: nesting depth and the expanded node count
 * are checked before anything is built. Never throws; a block it cannot expand stays as a node
 * (validation reports it) and the reason is in `errors`.
 */
export function flattenSubgraphs(doc: WorkflowDocument): FlatDocument {
  const definitions = new Map<string, Subgraph>();
  const errors: GraphError[] = [];
  for (const def of doc.subgraphs ?? []) {
    if (definitions.has(def.id))
      errors.push(graphError('INVALID_SUBGRAPH', `block id "${def.id}" is defined more than once`));
    else definitions.set(def.id, def);
  }
  const origins = new Map<string, FlatOrigin>();
  if (!doc.nodes.some((n) => subgraphIdOf(n.type) !== undefined))
    return { doc, origins, definitions, errors, blockOutputs: new Map() };

  const expandable = expansionCheck(doc.nodes, definitions, errors);
  const flattener = new Flattener(definitions, expandable, origins, errors);
  const nodes: WorkflowNode[] = [];
  const edges: WorkflowEdge[] = [];
  flattener.expand(doc.nodes, doc.edges, '', undefined, nodes, edges);
  const { subgraphs: _defs, ...rest } = doc;
  return { doc: { ...rest, nodes, edges }, origins, definitions, errors, blockOutputs: flattener.blockOutputs() };
}

/**
 * The top-level block nodes that can be expanded: known definitions, no recursion, nesting within
 * bounds, and an expanded size within the document limit (counted without building anything).
 */
function expansionCheck(
  nodes: readonly WorkflowNode[],
  definitions: ReadonlyMap<string, Subgraph>,
  errors: GraphError[],
): Set<string> {
  const sizes = new Map<string, number>();
  const problem = new Map<string, string>();
  const sizeOf = (id: string, stack: string[]): number => {
    const known = sizes.get(id);
    if (known !== undefined) return known;
    if (stack.includes(id)) throw new Error(`block "${id}" contains itself (${[...stack, id].join(' > ')})`);
    if (stack.length >= DOCUMENT_LIMITS.maxSubgraphDepth)
      throw new Error(`blocks nest deeper than ${DOCUMENT_LIMITS.maxSubgraphDepth} levels`);
    const def = definitions.get(id);
    if (!def) throw new Error(`block "${id}" is not defined in this document`);
    let n = 0;
    for (const inner of def.nodes) {
      const child = subgraphIdOf(inner.type);
      n += child === undefined ? 1 : sizeOf(child, [...stack, id]);
      if (n > DOCUMENT_LIMITS.maxNodes) break;
    }
    sizes.set(id, n);
    return n;
  };
  const ok = new Set<string>();
  let total = 0;
  for (const node of nodes) {
    const id = subgraphIdOf(node.type);
    if (id === undefined) {
      total += 1;
      continue;
    }
    const ctx = { nodeId: node.id, nodeType: node.type };
    if (!definitions.has(id)) {
      errors.push(graphError('UNKNOWN_SUBGRAPH', `block "${id}" is not defined in this document`, ctx));
      continue;
    }
    try {
      total += sizeOf(id, []);
    } catch (err) {
      const message = (err as Error).message;
      if (!problem.has(id)) problem.set(id, message);
      errors.push(graphError('INVALID_SUBGRAPH', message, ctx));
      continue;
    }
    if (total > DOCUMENT_LIMITS.maxNodes) {
      errors.push(
        graphError('INVALID_SUBGRAPH', `the graph expands to more than ${DOCUMENT_LIMITS.maxNodes} nodes`, ctx),
      );
      break;
    }
    ok.add(node.id);
  }
  return ok;
}

class Flattener {
  /** Flattened block node id -> its definition, for re-attaching edges to its sockets. */
  readonly #instances = new Map<string, Subgraph>();
  #tooManyEdges = false;

  constructor(
    readonly definitions: ReadonlyMap<string, Subgraph>,
    readonly expandable: ReadonlySet<string>,
    readonly origins: Map<string, FlatOrigin>,
    readonly errors: GraphError[],
  ) {}

  /** Appends `nodes` and `edges` (ids under `prefix`) to `outNodes`/`outEdges`, expanding blocks. */
  expand(
    nodes: readonly WorkflowNode[],
    edges: readonly WorkflowEdge[],
    prefix: string,
    top: { instance: string; subgraph: string } | undefined,
    outNodes: WorkflowNode[],
    outEdges: WorkflowEdge[],
    blockMode?: WorkflowNode['mode'],
  ): void {
    for (const node of nodes) {
      const id = prefix + node.id;
      const blockId = subgraphIdOf(node.type);
      const def = blockId === undefined ? undefined : this.definitions.get(blockId);
      const canExpand = def !== undefined && (top !== undefined || this.expandable.has(node.id));
      if (top) this.origins.set(id, { ...top, inner: id.slice(top.instance.length + 1) });
      // A bypassed or muted block is that mode all through: the block's switch wins over its nodes' own.
      const mode = blockMode ?? node.mode;
      if (!canExpand) {
        outNodes.push({ ...node, id, ...(mode ? { mode } : {}) });
        continue;
      }
      this.#instances.set(id, def);
      for (const key of Object.keys(node.params))
        if (!def.params.some((p) => p.name === key))
          this.errors.push(
            graphWarning('UNKNOWN_PARAM', `param "${key}" is not one block "${def.name}" exposes and will be dropped`, {
              nodeId: id,
              nodeType: node.type,
              param: key,
            }),
          );
      const inner = withExposedParams(def, node.params);
      this.expand(
        inner,
        def.edges,
        id + FLAT_ID_SEPARATOR,
        top ?? { instance: id, subgraph: def.id },
        outNodes,
        outEdges,
        mode,
      );
    }
    for (const edge of edges) {
      if (this.#tooManyEdges) return;
      const from = this.#resolveOutput(prefix + edge.from.node, edge.from.output);
      const to = this.#resolveInput(prefix + edge.to.node, edge.to.input);
      if (!from || !to) continue;
      // Exposed inputs fan out (and nest): bound the flattened links like a document's own.
      if (outEdges.length + to.length > DOCUMENT_LIMITS.maxEdges) {
        this.#tooManyEdges = true;
        this.errors.push(
          graphError('INVALID_SUBGRAPH', `the graph expands to more than ${DOCUMENT_LIMITS.maxEdges} links`, {
            nodeId: (top?.instance ?? prefix) || edge.to.node,
          }),
        );
        return;
      }
      to.forEach((t, i) => {
        const id = edge.id === undefined ? undefined : prefix + edge.id + (to.length > 1 ? `#${i + 1}` : '');
        outEdges.push({
          ...(id === undefined ? {} : { id }),
          from: { node: from.node, output: from.port },
          to: { node: t.node, input: t.port },
        });
      });
    }
  }

  blockOutputs(): Map<string, Map<string, { node: string; output: string }>> {
    const out = new Map<string, Map<string, { node: string; output: string }>>();
    for (const [id, def] of this.#instances) {
      const byName = new Map<string, { node: string; output: string }>();
      for (const o of def.outputs) {
        const at = this.#resolveOutput(id, o.name);
        if (at) byName.set(o.name, { node: at.node, output: at.port });
      }
      out.set(id, byName);
    }
    return out;
  }

  /** The inner output a block's output stands for (through nested blocks); undefined when unknown. */
  #resolveOutput(node: string, output: string): Endpoint | undefined {
    const def = this.#instances.get(node);
    if (!def) return { node, port: output };
    const exposed = def.outputs.find((o) => o.name === output);
    if (!exposed) {
      this.#unknownSocket(node, def, 'output', output);
      return undefined;
    }
    return this.#resolveOutput(node + FLAT_ID_SEPARATOR + exposed.from.node, exposed.from.output);
  }

  /** The inner inputs a block's input feeds (through nested blocks); undefined when unknown. */
  #resolveInput(node: string, input: string): Endpoint[] | undefined {
    const def = this.#instances.get(node);
    if (!def) return [{ node, port: input }];
    const exposed = def.inputs.find((i) => i.name === input);
    if (!exposed) {
      this.#unknownSocket(node, def, 'input', input);
      return undefined;
    }
    // Distinct endpoints only: a target listed twice (or reached twice through nested blocks) is one link.
    const seen = new Map<string, Endpoint>();
    for (const t of exposed.targets)
      for (const e of this.#resolveInput(node + FLAT_ID_SEPARATOR + t.node, t.input) ?? [])
        seen.set(`${e.node}\u0000${e.port}`, e);
    return [...seen.values()];
  }

  #unknownSocket(node: string, def: Subgraph, kind: 'input' | 'output', name: string): void {
    this.errors.push(
      graphError(
        kind === 'input' ? 'UNKNOWN_INPUT' : 'UNKNOWN_OUTPUT',
        `block "${def.name}" has no ${kind} "${name}"`,
        {
          nodeId: node,
          nodeType: subgraphType(def.id),
          [kind]: name,
        },
      ),
    );
  }
}

/** The definition's nodes with the block node's values for the params the block exposes. */
function withExposedParams(def: Subgraph, values: Readonly<Record<string, unknown>>): WorkflowNode[] {
  const overrides = def.params.filter((p) => Object.hasOwn(values, p.name));
  if (!overrides.length) return def.nodes;
  return def.nodes.map((n) => {
    const mine = overrides.filter((p) => p.node === n.id);
    if (!mine.length) return n;
    const params = { ...n.params };
    for (const p of mine) params[p.param] = values[p.name];
    return { ...n, params };
  });
}
