import {
  subgraphType,
  type Subgraph,
  type SubgraphInput,
  type SubgraphOutput,
  type SubgraphParam,
  type WorkflowDocument,
  type WorkflowEdge,
  type WorkflowNode,
} from '../document/WorkflowDocument.js';
import { graphError, type Result } from '../errors.js';

/** The sockets and params of a node type, for offering what a block could expose. */
export interface NodeShape {
  inputs: readonly string[];
  outputs: readonly string[];
  params: readonly string[];
}

/** A socket the block could expose; `external` are the endpoints outside it that use it today. */
export interface FoldInputCandidate extends SubgraphInput {
  /** The outside output feeding it (a crossing link), or none for an inner input left unconnected. */
  source?: { node: string; output: string };
}
export interface FoldOutputCandidate extends SubgraphOutput {
  /** Outside inputs it feeds today; empty when nothing outside uses it. */
  external: { node: string; input: string }[];
}

/** What folding a selection could expose; the links that cross its border are exposed by default. */
export interface FoldPlan {
  inputs: (FoldInputCandidate & { crossing: boolean })[];
  outputs: (FoldOutputCandidate & { crossing: boolean })[];
  params: SubgraphParam[];
}

export interface FoldChoice {
  name: string;
  description?: string;
  /** Names from the plan to expose; default: the crossing ones. */
  inputs?: readonly string[];
  outputs?: readonly string[];
  /** Params to expose (from the plan, names may be changed); default none. */
  params?: readonly SubgraphParam[];
}

const uniqueName = (base: string, taken: Set<string>): string => {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
};

/**
 * What a selection of nodes could expose as a block: one input per outside output that feeds it
 * (and, given node shapes, one per inner input left unconnected), one output per inner output used
 * outside (and the others), every inner param. Names are the inner socket or param names, made unique.
 */
export function planFold(
  doc: WorkflowDocument,
  ids: readonly string[],
  shapeOf: (type: string) => NodeShape | undefined = () => undefined,
): FoldPlan {
  const inside = new Set(ids);
  const inputNames = new Set<string>();
  const inputs: FoldPlan['inputs'] = [];
  const bySource = new Map<string, FoldPlan['inputs'][number]>();
  const connected = new Set<string>();
  for (const e of doc.edges) {
    if (!inside.has(e.to.node)) continue;
    connected.add(`${e.to.node}.${e.to.input}`);
    if (inside.has(e.from.node)) continue;
    const key = `${e.from.node}.${e.from.output}`;
    const known = bySource.get(key);
    if (known) known.targets.push({ node: e.to.node, input: e.to.input });
    else {
      // A second link into an input of the same name is named after where it comes from.
      const name = inputNames.has(e.to.input) ? `${e.from.node}_${e.from.output}` : e.to.input;
      const candidate = {
        name: uniqueName(name, inputNames),
        targets: [{ node: e.to.node, input: e.to.input }],
        source: { ...e.from },
        crossing: true,
      };
      bySource.set(key, candidate);
      inputs.push(candidate);
    }
  }
  const outputNames = new Set<string>();
  const outputs: FoldPlan['outputs'] = [];
  const byInner = new Map<string, FoldPlan['outputs'][number]>();
  for (const e of doc.edges) {
    if (!inside.has(e.from.node) || inside.has(e.to.node)) continue;
    const key = `${e.from.node}.${e.from.output}`;
    let candidate = byInner.get(key);
    if (!candidate) {
      candidate = { name: uniqueName(e.from.output, outputNames), from: { ...e.from }, external: [], crossing: true };
      byInner.set(key, candidate);
      outputs.push(candidate);
    }
    candidate.external.push({ ...e.to });
  }
  const paramNames = new Set<string>();
  const params: SubgraphParam[] = [];
  for (const node of doc.nodes.filter((n) => inside.has(n.id))) {
    const shape = shapeOf(node.type);
    for (const input of shape?.inputs ?? [])
      if (!connected.has(`${node.id}.${input}`))
        inputs.push({ name: uniqueName(input, inputNames), targets: [{ node: node.id, input }], crossing: false });
    for (const output of shape?.outputs ?? [])
      if (!byInner.has(`${node.id}.${output}`))
        outputs.push({
          name: uniqueName(output, outputNames),
          from: { node: node.id, output },
          external: [],
          crossing: false,
        });
    for (const param of shape?.params ?? Object.keys(node.params)) {
      const name = paramNames.has(param)
        ? uniqueName(`${node.id}_${param}`, paramNames)
        : uniqueName(param, paramNames);
      params.push({ name, node: node.id, param });
    }
  }
  return { inputs, outputs, params };
}

const newId = (base: string, taken: ReadonlySet<string>): string => {
  const clean = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'block';
  if (!taken.has(clean)) return clean;
  for (let i = 2; ; i++) if (!taken.has(`${clean}_${i}`)) return `${clean}_${i}`;
};

/**
 * Folds the selected nodes into a new block: its definition joins `doc.subgraphs`, one block node
 * replaces them, and the links that crossed the selection's border now end on the block's exposed
 * sockets (a crossing link whose socket is not exposed is dropped). The flattened graph is the one
 * before folding, so the result and every cache key stay the same.
 */
export function foldNodes(
  doc: WorkflowDocument,
  ids: readonly string[],
  choice: FoldChoice,
  shapeOf?: (type: string) => NodeShape | undefined,
): Result<{ doc: WorkflowDocument; nodeId: string; subgraphId: string }> {
  const inside = new Set(ids);
  const nodes = doc.nodes.filter((n) => inside.has(n.id));
  if (!nodes.length || nodes.length !== inside.size)
    return {
      ok: false,
      errors: [graphError('INVALID_SUBGRAPH', 'select the nodes of the graph to fold into a block')],
    };
  const plan = planFold(doc, ids, shapeOf);
  const pick = <T extends { name: string; crossing: boolean }>(all: T[], names: readonly string[] | undefined) =>
    all.filter((c) => (names ? names.includes(c.name) : c.crossing));
  const inputs = pick(plan.inputs, choice.inputs);
  const outputs = pick(plan.outputs, choice.outputs);
  const taken = new Set((doc.subgraphs ?? []).map((s) => s.id));
  const subgraphId = newId(choice.name.toLowerCase(), taken);
  const nodeId = newId(subgraphId, new Set(doc.nodes.map((n) => n.id)));
  const x = Math.min(...nodes.map((n) => n.ui?.position.x ?? 0));
  const y = Math.min(...nodes.map((n) => n.ui?.position.y ?? 0));
  const definition: Subgraph = {
    id: subgraphId,
    name: choice.name.trim() || 'Block',
    description: choice.description ?? '',
    nodes: structuredClone(nodes),
    edges: structuredClone(doc.edges.filter((e) => inside.has(e.from.node) && inside.has(e.to.node))),
    inputs: inputs.map(({ name, targets, label }) => ({ name, targets, ...(label ? { label } : {}) })),
    outputs: outputs.map(({ name, from, label }) => ({ name, from, ...(label ? { label } : {}) })),
    params: (choice.params ?? []).map((p) => ({ ...p })),
  };
  const block: WorkflowNode = {
    id: nodeId,
    type: subgraphType(subgraphId),
    typeVersion: 1,
    params: {},
    ui: { position: { x, y } },
  };
  const edges: WorkflowEdge[] = doc.edges.filter((e) => !inside.has(e.from.node) && !inside.has(e.to.node));
  for (const i of inputs) if (i.source) edges.push({ from: { ...i.source }, to: { node: nodeId, input: i.name } });
  for (const o of outputs)
    for (const target of o.external) edges.push({ from: { node: nodeId, output: o.name }, to: { ...target } });
  const kept = doc.nodes.filter((n) => !inside.has(n.id));
  return {
    ok: true,
    value: {
      doc: { ...doc, nodes: [...kept, block], edges, subgraphs: [...(doc.subgraphs ?? []), definition] },
      nodeId,
      subgraphId,
    },
    warnings: [],
  };
}
