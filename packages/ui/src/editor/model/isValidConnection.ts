import type { CatalogueIndex } from './catalogueIndex';
import type { EditorEdge, EditorNode } from './editorGraph';

export interface ConnectionAttempt {
  source: string | null;
  sourceHandle?: string | null | undefined;
  target: string | null;
  targetHandle?: string | null | undefined;
}

export type ConnectionRefusal =
  | 'INCOMPLETE'
  | 'UNKNOWN_NODE'
  | 'UNKNOWN_SOCKET'
  | 'SELF_LOOP'
  | 'TYPE_MISMATCH'
  | 'MULTIPLE_LINKS'
  | 'DUPLICATE'
  | 'CYCLE';
export type ConnectionCheck = { ok: true } | { ok: false; code: ConnectionRefusal; message: string };

const refuse = (code: ConnectionRefusal, message: string): ConnectionCheck => ({ ok: false, code, message });

/** True when `to` reaches `from` along existing edges, i.e. an edge from -> to would close a cycle. */
function reaches(edges: readonly EditorEdge[], start: string, goal: string): boolean {
  const out = new Map<string, string[]>();
  for (const e of edges) out.set(e.source, [...(out.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const id = todo.pop()!;
    if (id === goal) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of out.get(id) ?? []) todo.push(next);
  }
  return false;
}

/**
 * Whether a new edge may be drawn, and why not: the socket types must be compatible (the
 * catalogue's socket widening rules), a single input takes one link, and no cycle may form.
 * The canvas calls it while the user drags, so it only reads.
 */
export function checkConnection(
  attempt: ConnectionAttempt,
  nodes: readonly EditorNode[],
  edges: readonly EditorEdge[],
  index: CatalogueIndex,
): ConnectionCheck {
  const { source, sourceHandle, target, targetHandle } = attempt;
  if (!source || !target || !sourceHandle || !targetHandle)
    return refuse('INCOMPLETE', 'connect an output to an input');
  if (source === target) return refuse('SELF_LOOP', 'a node cannot feed itself');
  const from = nodes.find((n) => n.id === source);
  const to = nodes.find((n) => n.id === target);
  if (!from || !to) return refuse('UNKNOWN_NODE', `node ${!from ? source : target} does not exist`);
  const fromEntry = index.byType.get(from.data.nodeType);
  const toEntry = index.byType.get(to.data.nodeType);
  if (!fromEntry || !toEntry)
    return refuse(
      'UNKNOWN_NODE',
      `node type ${!fromEntry ? from.data.nodeType : to.data.nodeType} is unknown here; its links cannot change`,
    );
  const out = fromEntry.outputs[sourceHandle];
  const input = toEntry.inputs[targetHandle];
  if (!out) return refuse('UNKNOWN_SOCKET', `${fromEntry.title} has no output "${sourceHandle}"`);
  if (!input) return refuse('UNKNOWN_SOCKET', `${toEntry.title} has no input "${targetHandle}"`);
  if (!index.canConnect(out.type, input.type)) {
    return refuse('TYPE_MISMATCH', `input "${input.label}" takes ${input.type} but "${out.label}" gives ${out.type}`);
  }
  const into = edges.filter((e) => e.target === target && e.targetHandle === targetHandle);
  if (into.some((e) => e.source === source && e.sourceHandle === sourceHandle))
    return refuse('DUPLICATE', 'these sockets are already linked');
  if (into.length && !input.multi)
    return refuse('MULTIPLE_LINKS', `input "${input.label}" takes one link; remove the existing one first`);
  if (reaches(edges, target, source)) return refuse('CYCLE', `linking ${source} -> ${target} would make a cycle`);
  return { ok: true };
}
