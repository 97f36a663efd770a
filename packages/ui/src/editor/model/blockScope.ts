import {
  CURRENT_SCHEMA_VERSION,
  FLAT_ID_SEPARATOR,
  subgraphIdOf,
  type FoldChoice,
  type FoldPlan,
  type GraphError,
  type Subgraph,
} from '@ptp/graph-core';
import { documentToGraph, graphToDocument, type EditorGraph } from './editorGraph';

/**
 * Editing a block in place (as ComfyUI's subgraphs are): the canvas shows the inside of one block
 * node, and edits there change the block's definition, so every use of it. A scope remembers the
 * graph one level up as it was when the block was opened; closing it writes the inside back.
 */
export interface BlockScope {
  /** The block node opened, in the graph one level up. */
  nodeId: string;
  subgraphId: string;
  name: string;
  /** The graph one level up when the block was opened (its definitions are replaced on the way back). */
  outer: EditorGraph;
}

/** What the inside of a block shows of the block's outside: which inner sockets and params it exposes. */
export interface Exposures {
  inputs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  outputs: ReadonlyMap<string, ReadonlyMap<string, string>>;
  params: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

export type EnterResult = { ok: true; scope: BlockScope; inner: EditorGraph } | { ok: false; message: string };

/** The inside of block node `nodeId` of `outer` as a graph of its own (nothing selected). */
export function enterBlock(outer: EditorGraph, nodeId: string): EnterResult {
  const node = outer.nodes.find((n) => n.id === nodeId);
  const subgraphId = node ? subgraphIdOf(node.data.nodeType) : undefined;
  if (!node || subgraphId === undefined) return { ok: false, message: `"${nodeId}" is not a block node` };
  const def = outer.subgraphs?.find((s) => s.id === subgraphId);
  if (!def) return { ok: false, message: `block "${subgraphId}" is not defined in this workflow` };
  const inner = documentToGraph({
    schemaVersion: CURRENT_SCHEMA_VERSION,
    metadata: outer.metadata,
    nodes: def.nodes,
    edges: def.edges,
    ...(outer.subgraphs ? { subgraphs: outer.subgraphs } : {}),
  });
  if (outer.documentId !== undefined) inner.documentId = outer.documentId;
  return { ok: true, scope: { nodeId, subgraphId, name: def.name, outer }, inner };
}

/**
 * The graph one level up with the block's definition replaced by what the inside now holds.
 * Exposures whose inner node or socket is gone (or whose input is now linked inside) are dropped,
 * and so are the outer links and block params that used them, on every node of the block.
 */
export function leaveBlock(scope: BlockScope, inner: EditorGraph): EditorGraph {
  const subgraphs = inner.subgraphs ?? scope.outer.subgraphs ?? [];
  const def = subgraphs.find((s) => s.id === scope.subgraphId);
  if (!def) return { ...scope.outer, subgraphs, metadata: inner.metadata };
  const doc = graphToDocument(inner, { includeViewport: false });
  const ids = new Set(doc.nodes.map((n) => n.id));
  const linked = new Set(doc.edges.map((e) => `${e.to.node}\u0000${e.to.input}`));
  const inputs = def.inputs
    .map((i) => ({
      ...i,
      targets: i.targets.filter((t) => ids.has(t.node) && !linked.has(`${t.node}\u0000${t.input}`)),
    }))
    .filter((i) => i.targets.length > 0);
  const outputs = def.outputs.filter((o) => ids.has(o.from.node));
  const params = def.params.filter((p) => ids.has(p.node));
  const next: Subgraph = { ...def, nodes: doc.nodes, edges: doc.edges, inputs, outputs, params };
  const type = `subgraph:${scope.subgraphId}`;
  const uses = new Set(scope.outer.nodes.filter((n) => n.data.nodeType === type).map((n) => n.id));
  const keptIn = new Set(inputs.map((i) => i.name));
  const keptOut = new Set(outputs.map((o) => o.name));
  const keptParams = new Set(params.map((p) => p.name));
  const droppedParams = def.params.filter((p) => !keptParams.has(p.name)).map((p) => p.name);
  return {
    ...scope.outer,
    metadata: inner.metadata,
    subgraphs: subgraphs.map((s) => (s.id === def.id ? next : s)),
    edges: scope.outer.edges.filter(
      (e) =>
        !(uses.has(e.target) && !keptIn.has(e.targetHandle)) && !(uses.has(e.source) && !keptOut.has(e.sourceHandle)),
    ),
    nodes: droppedParams.length
      ? scope.outer.nodes.map((n) => {
          if (!uses.has(n.id) || !droppedParams.some((p) => p in n.data.params)) return n;
          const kept = Object.fromEntries(Object.entries(n.data.params).filter(([k]) => keptParams.has(k)));
          return { ...n, data: { ...n.data, params: kept } };
        })
      : scope.outer.nodes,
  };
}

/**
 * The canvas's nodes and links plus, inside a block, the graph around it linked to the inner
 * sockets its exposed inputs feed (outer ids marked apart): what word pickers read prompts from.
 */
export function graphWithSurroundings(
  scope: BlockScope | undefined,
  graph: EditorGraph,
): Pick<EditorGraph, 'nodes' | 'edges'> {
  if (!scope) return graph;
  const def = graph.subgraphs?.find((s) => s.id === scope.subgraphId);
  const outer = (id: string) => `\u0001${id}`;
  const feeds = (def?.inputs ?? []).flatMap((i) => {
    const link = scope.outer.edges.find((e) => e.target === scope.nodeId && e.targetHandle === i.name);
    return link
      ? i.targets.map((t) => ({
          id: outer(`${link.id}->${t.node}.${t.input}`),
          source: outer(link.source),
          sourceHandle: link.sourceHandle,
          target: t.node,
          targetHandle: t.input,
        }))
      : [];
  });
  return {
    nodes: [...scope.outer.nodes.map((n) => ({ ...n, id: outer(n.id) })), ...graph.nodes],
    edges: [
      ...scope.outer.edges.map((e) => ({ ...e, id: outer(e.id), source: outer(e.source), target: outer(e.target) })),
      ...feeds,
      ...graph.edges,
    ],
  };
}

/** The whole workflow from the innermost scope's graph: each level written back into the one above. */
export function rootGraph(scopes: readonly BlockScope[], graph: EditorGraph): EditorGraph {
  let g = graph;
  for (let i = scopes.length - 1; i >= 0; i--) g = leaveBlock(scopes[i]!, g);
  return g;
}

/** The flattened-graph prefix of the innermost scope's nodes: `<block node>/<block node>/`. */
export const scopePrefix = (scopes: readonly BlockScope[]): string =>
  scopes.map((s) => s.nodeId + FLAT_ID_SEPARATOR).join('');

export function exposuresOf(def: Subgraph | undefined): Exposures {
  const add = (m: Map<string, Map<string, string>>, node: string, socket: string, name: string) => {
    let inner = m.get(node);
    if (!inner) m.set(node, (inner = new Map()));
    inner.set(socket, name);
  };
  const inputs = new Map<string, Map<string, string>>();
  const outputs = new Map<string, Map<string, string>>();
  const params = new Map<string, Map<string, string>>();
  for (const i of def?.inputs ?? []) for (const t of i.targets) add(inputs, t.node, t.input, i.name);
  for (const o of def?.outputs ?? []) add(outputs, o.from.node, o.from.output, o.name);
  for (const p of def?.params ?? []) add(params, p.node, p.param, p.name);
  return { inputs, outputs, params };
}

/**
 * Problems of the whole workflow (validated unlifted, on flattened ids) as the inside of a block
 * shows them: its nodes' own problems on them; everything else, including an exposed input left
 * unconnected where the block is used, as a problem of the workflow (counted, listed, not drawn).
 */
export function problemsInScope(
  problems: readonly GraphError[],
  prefix: string,
  exposures: Exposures,
  blockName: string,
): GraphError[] {
  return problems.map((e) => {
    if (e.nodeId === undefined) return e;
    if (!e.nodeId.startsWith(prefix)) {
      const { nodeId, nodeType: _t, input: _i, output: _o, param: _p, edgeId: _e, ...rest } = e;
      return { ...rest, message: `outside the block: node "${nodeId}": ${e.message}` };
    }
    const rel = e.nodeId.slice(prefix.length);
    const cut = rel.indexOf(FLAT_ID_SEPARATOR);
    if (cut > 0) {
      // Inside a block within this one: shown on that block's node, with the inner path said.
      const { input: _i, output: _o, param: _p, edgeId: _e, ...rest } = e;
      return { ...rest, nodeId: rel.slice(0, cut), message: `node "${rel.slice(cut + 1)}": ${e.message}` };
    }
    const exposedAs = e.input !== undefined ? exposures.inputs.get(rel)?.get(e.input) : undefined;
    if (e.code === 'MISSING_INPUT' && exposedAs !== undefined) {
      const { nodeId: _n, nodeType: _t, input: _i, ...rest } = e;
      return { ...rest, message: `input "${exposedAs}" of block "${blockName}" is not connected where it is used` };
    }
    return { ...e, nodeId: rel };
  });
}

/**
 * Folding inside an open block: what the open block exposes of the folded nodes must stay exposed,
 * so the new inner block exposes those sockets and params too (besides what `choice` picks).
 */
export function keepExposed(plan: FoldPlan, open: Subgraph, ids: readonly string[], choice: FoldChoice): FoldChoice {
  const inside = new Set(ids);
  const has = (list: readonly string[], name: string) => list.includes(name);
  const inputs = [...(choice.inputs ?? plan.inputs.filter((c) => c.crossing).map((c) => c.name))];
  for (const c of plan.inputs)
    if (
      !has(inputs, c.name) &&
      c.targets.some(
        (t) =>
          inside.has(t.node) &&
          open.inputs.some((i) => i.targets.some((x) => x.node === t.node && x.input === t.input)),
      )
    )
      inputs.push(c.name);
  const outputs = [...(choice.outputs ?? plan.outputs.filter((c) => c.crossing).map((c) => c.name))];
  for (const c of plan.outputs)
    if (
      !has(outputs, c.name) &&
      open.outputs.some((o) => o.from.node === c.from.node && o.from.output === c.from.output)
    )
      outputs.push(c.name);
  const params = [...(choice.params ?? [])];
  for (const p of plan.params)
    if (
      open.params.some((x) => x.node === p.node && x.param === p.param) &&
      !params.some((x) => x.node === p.node && x.param === p.param)
    )
      params.push(p);
  return { ...choice, inputs, outputs, params };
}

const dedupe = <T>(list: T[]): T[] => {
  const seen = new Set<string>();
  return list.filter((x) => !seen.has(JSON.stringify(x)) && Boolean(seen.add(JSON.stringify(x))));
};

/** The open block's exposures after `ids` were folded into block node `nodeId` (definition `nested`). */
export function retargetFolded(open: Subgraph, ids: readonly string[], nodeId: string, nested: Subgraph): Subgraph {
  const inside = new Set(ids);
  return {
    ...open,
    inputs: open.inputs.map((i) => ({
      ...i,
      targets: dedupe(
        i.targets.map((t) => {
          if (!inside.has(t.node)) return t;
          const via = nested.inputs.find((n) => n.targets.some((x) => x.node === t.node && x.input === t.input));
          return via ? { node: nodeId, input: via.name } : t;
        }),
      ),
    })),
    outputs: open.outputs.map((o) => {
      const via = nested.outputs.find((n) => n.from.node === o.from.node && n.from.output === o.from.output);
      return inside.has(o.from.node) && via ? { ...o, from: { node: nodeId, output: via.name } } : o;
    }),
    params: open.params.map((p) => {
      const via = nested.params.find((n) => n.node === p.node && n.param === p.param);
      return inside.has(p.node) && via ? { ...p, node: nodeId, param: via.name } : p;
    }),
  };
}

/** The open block's exposures after block node `nodeId` (definition `nested`) was unfolded into `nodeIds`. */
export function retargetUnfolded(
  open: Subgraph,
  nodeId: string,
  nested: Subgraph,
  nodeIds: readonly string[],
): Subgraph {
  const rename = new Map(nested.nodes.map((n, i) => [n.id, nodeIds[i] ?? n.id]));
  const renamed = (id: string) => rename.get(id) ?? id;
  return {
    ...open,
    inputs: open.inputs.map((i) => ({
      ...i,
      targets: dedupe(
        i.targets.flatMap((t) => {
          if (t.node !== nodeId) return [t];
          const via = nested.inputs.find((n) => n.name === t.input);
          return via ? via.targets.map((x) => ({ node: renamed(x.node), input: x.input })) : [];
        }),
      ),
    })),
    outputs: open.outputs.flatMap((o) => {
      if (o.from.node !== nodeId) return [o];
      const via = nested.outputs.find((n) => n.name === o.from.output);
      return via ? [{ ...o, from: { node: renamed(via.from.node), output: via.from.output } }] : [];
    }),
    params: open.params.flatMap((p) => {
      if (p.node !== nodeId) return [p];
      const via = nested.params.find((n) => n.name === p.param);
      return via ? [{ ...p, node: renamed(via.node), param: via.param }] : [];
    }),
  };
}
