import type { WorkflowDocument } from '../document/WorkflowDocument.js';

type NodeSpec = {
  id: string;
  type: string;
  typeVersion?: number;
  params?: Record<string, unknown>;
  mode?: 'bypass' | 'mute';
};

/** Terse document construction for tests: edges as `from.output -> to.input` strings. */
export function doc(nodes: NodeSpec[], edges: string[] = []): WorkflowDocument {
  return {
    schemaVersion: 3,
    metadata: { name: 'test', description: '', tags: [] },
    nodes: nodes.map((n) => ({
      id: n.id,
      type: n.type,
      typeVersion: n.typeVersion ?? (n.type === 'test.add' ? 2 : 1),
      params: n.params ?? {},
      ...(n.mode ? { mode: n.mode } : {}),
    })),
    edges: edges.map((e, i) => {
      const m = /^(\S+)\.(\S+)\s*->\s*(\S+)\.(\S+)$/.exec(e);
      if (!m) throw new Error(`bad edge spec ${e}`);
      return { id: `e${i}`, from: { node: m[1]!, output: m[2]! }, to: { node: m[3]!, input: m[4]! } };
    }),
  };
}

/**
 * A random DAG of `test.add`/`test.sum` nodes with about `edges` edges (deterministic for
 * a seed), ending in one output node. Used by the benchmarks and the large-graph tests.
 */
export function generateGraph(nodeCount: number, edgeCount: number, seed = 1): WorkflowDocument {
  let s = seed >>> 0;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const nodes: NodeSpec[] = [];
  const edges: string[] = [];
  const sources = Math.max(1, Math.floor(nodeCount / 20));
  for (let i = 0; i < sources; i++) nodes.push({ id: `n${i}`, type: 'test.number', params: { value: i } });
  // Each inner node is a multi-input sum over earlier nodes, so edge count is free to choose.
  const inner = nodeCount - sources - 1;
  const innerEdges = Math.max(inner, edgeCount - 1);
  for (let i = sources; i < sources + inner; i++) {
    nodes.push({ id: `n${i}`, type: 'test.sum' });
    // Spread the edges evenly so the total is exactly `edgeCount`.
    const k0 = Math.floor(((i - sources) * innerEdges) / inner);
    const k1 = Math.floor(((i - sources + 1) * innerEdges) / inner);
    for (let k = k0; k < k1; k++) {
      // The first link chains to the previous node and the second covers each source once, so
      // every node feeds the output (a run really executes all of them); the rest are random.
      const from = k === k0 ? i - 1 : k === k0 + 1 && i - sources < sources ? i - sources : Math.floor(rand() * i);
      edges.push(`n${from}.${from < sources ? 'value' : 'total'} -> n${i}.values`);
    }
  }
  const last = sources + inner - 1;
  nodes.push({ id: 'out', type: 'test.output' });
  edges.push(`n${last}.total -> out.value`);
  return doc(nodes, edges);
}
