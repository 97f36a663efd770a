import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from './document/WorkflowDocument.js';

/** Adjacency built once per document and shared by validation, planning and execution. */
export interface GraphIndex {
  readonly nodes: ReadonlyMap<string, WorkflowNode>;
  /** Edges into each node whose both ends exist, in document order. */
  readonly incoming: ReadonlyMap<string, WorkflowEdge[]>;
  readonly outgoing: ReadonlyMap<string, WorkflowEdge[]>;
}

export function indexGraph(doc: WorkflowDocument): GraphIndex {
  const nodes = new Map<string, WorkflowNode>();
  const incoming = new Map<string, WorkflowEdge[]>();
  const outgoing = new Map<string, WorkflowEdge[]>();
  for (const node of doc.nodes) {
    if (nodes.has(node.id)) continue; // duplicates are reported by validation; the first wins
    nodes.set(node.id, node);
    incoming.set(node.id, []);
    outgoing.set(node.id, []);
  }
  for (const edge of doc.edges) {
    const into = incoming.get(edge.to.node);
    const out = outgoing.get(edge.from.node);
    if (!into || !out) continue;
    into.push(edge);
    out.push(edge);
  }
  return { nodes, incoming, outgoing };
}

/** Node ids on cycles (strongly connected components of size > 1, or self-loops). Iterative Tarjan. */
export function findCycles(index: GraphIndex): string[][] {
  const ids = [...index.nodes.keys()];
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (order.has(root)) continue;
    const work: { id: string; next: number }[] = [{ id: root, next: 0 }];
    order.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const frame = work[work.length - 1]!;
      const edges = index.outgoing.get(frame.id)!;
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!.to.node;
        if (!order.has(to)) {
          order.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ id: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, order.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === order.get(frame.id)) {
        const component: string[] = [];
        let id: string;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          component.push(id);
        } while (id !== frame.id);
        const selfLoop = index.outgoing.get(frame.id)!.some((e) => e.to.node === frame.id);
        if (component.length > 1 || selfLoop) cycles.push(component.reverse());
      }
    }
  }
  return cycles;
}

/** Every node that `targets` depend on, targets included. */
export function ancestorsOf(index: GraphIndex, targets: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const todo = [...targets].filter((t) => index.nodes.has(t));
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of index.incoming.get(id) ?? []) todo.push(e.from.node);
  }
  return seen;
}

/**
 * Topological order of `subset` (Kahn), ties broken by document order so plans are deterministic.
 * Returns undefined when the subset contains a cycle.
 */
export function topologicalOrder(index: GraphIndex, subset: ReadonlySet<string>): string[] | undefined {
  const indegree = new Map<string, number>();
  for (const id of subset) indegree.set(id, 0);
  for (const id of subset) {
    for (const e of index.incoming.get(id)!) if (subset.has(e.from.node)) indegree.set(id, indegree.get(id)! + 1);
  }
  const ready: string[] = [];
  for (const id of index.nodes.keys()) if (subset.has(id) && indegree.get(id) === 0) ready.push(id);
  const order: string[] = [];
  // `ready` is consumed front to back; a moving head avoids O(n^2) shifts.
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head]!;
    order.push(id);
    for (const e of index.outgoing.get(id)!) {
      const to = e.to.node;
      if (!subset.has(to)) continue;
      const d = indegree.get(to)! - 1;
      indegree.set(to, d);
      if (d === 0) ready.push(to);
    }
  }
  return order.length === subset.size ? order : undefined;
}
