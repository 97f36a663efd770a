import type { CatalogueIndex } from './catalogueIndex';
import type { EditorEdge, EditorNode } from './editorGraph';
import { outputTypeOf } from './linkTypes';

export interface ConnectionAttempt {
  source: string | null;
  sourceHandle?: string | null | undefined;
  target: string | null;
  targetHandle?: string | null | undefined;
}

export type ConnectionRefusal =
  'INCOMPLETE' | 'UNKNOWN_NODE' | 'UNKNOWN_SOCKET' | 'SELF_LOOP' | 'TYPE_MISMATCH' | 'DUPLICATE' | 'CYCLE';
/** Allowed; `replaces`: the link a single input holds now, which the new one takes the place of. */
export type ConnectionCheck = { ok: true; replaces?: string } | { ok: false; code: ConnectionRefusal; message: string };

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
 * catalogue's socket widening rules) and no cycle may form. A single input that is linked
 * already has its link replaced (as in ComfyUI and Blender): the verdict names that edge.
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
  // Through reroutes, the type of what feeds them; a reroute with nothing in it yet takes anything.
  const nodeOf = (id: string) => (id === source ? from : nodes.find((n) => n.id === id));
  const carried = outputTypeOf(source, sourceHandle, nodeOf, edges, index) ?? out.type;
  const loose = fromEntry.passThrough === true && carried === 'ANY';
  if (!loose && !index.canConnect(carried, input.type)) {
    return refuse('TYPE_MISMATCH', `input "${input.label}" takes ${input.type} but "${out.label}" gives ${carried}`);
  }
  const into = edges.filter((e) => e.target === target && e.targetHandle === targetHandle);
  if (into.some((e) => e.source === source && e.sourceHandle === sourceHandle))
    return refuse('DUPLICATE', 'these sockets are already linked');
  if (reaches(edges, target, source)) return refuse('CYCLE', `linking ${source} -> ${target} would make a cycle`);
  const replaced = input.multi ? undefined : into[0]?.id;
  return replaced ? { ok: true, replaces: replaced } : { ok: true };
}
