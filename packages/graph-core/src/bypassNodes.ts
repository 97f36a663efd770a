import type { WorkflowDocument, WorkflowEdge } from './document/WorkflowDocument.js';
import type { InputSpec, OutputSpec } from './NodeDefinition.js';
import type { NodeRegistry } from './NodeRegistry.js';
import { own } from './own.js';

/** A link cut because the bypassed node it came from has no input of its type to pass on. */
export interface CutLink {
  readonly node: string;
  readonly input: string;
  /** The bypassed node the link came from, and the type it had nothing of. */
  readonly bypassed: string;
  readonly type: string;
}

export interface BypassedDocument {
  /** The same object as the input when no node is bypassed. */
  readonly doc: WorkflowDocument;
  readonly cut: readonly CutLink[];
}

/**
 * Takes the bypassed nodes (`mode: 'bypass'`, ComfyUI's Ctrl+B) out of the graph: each link from
 * one of their outputs is re-attached to whatever feeds the node's first input of that type (through
 * chains of bypassed nodes), or cut when it has none. A bypassed node never runs, its params and
 * checks do not matter, and an input fed only through it is as good as unconnected. A node of an
 * unknown type is left in, so validation reports it.
 */
export function bypassNodes(doc: WorkflowDocument, registry: NodeRegistry): BypassedDocument {
  const bypassed = new Set(doc.nodes.filter((n) => n.mode === 'bypass' && registry.get(n.type)).map((n) => n.id));
  if (!bypassed.size) return { doc, cut: [] };
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const incoming = new Map<string, WorkflowEdge[]>();
  for (const e of doc.edges) {
    const into = incoming.get(e.to.node);
    if (into) into.push(e);
    else incoming.set(e.to.node, [e]);
  }

  // Memoised per node and type: a chain or a diamond of bypassed nodes is walked once (linear in edges).
  type Source = { node: string; output: string };
  const memo = new Map<string, readonly Source[]>();
  /** What feeds bypassed `node`'s output of type `type`: the links into its first connected input of that type. */
  const sources = (node: string, type: string): readonly Source[] => {
    const key = `${node}\u0000${type}`;
    const known = memo.get(key);
    if (known) return known;
    memo.set(key, []); // a loop of bypassed nodes passes nothing on
    const def = registry.get(types.get(node)!)!;
    const links = incoming.get(node) ?? [];
    let found: readonly Source[] = [];
    for (const [name, spec] of Object.entries(def.inputs as Record<string, InputSpec>)) {
      if (spec.type !== type) continue;
      const into = links.filter((e) => e.to.input === name);
      if (!into.length) continue;
      found = into.flatMap((e) => (bypassed.has(e.from.node) ? sources(e.from.node, type) : [e.from]));
      break;
    }
    memo.set(key, found);
    return found;
  };

  const edges: WorkflowEdge[] = [];
  const cut: CutLink[] = [];
  for (const e of doc.edges) {
    if (bypassed.has(e.to.node)) continue;
    if (!bypassed.has(e.from.node)) {
      edges.push(e);
      continue;
    }
    const spec = own(registry.get(types.get(e.from.node)!)!.outputs, e.from.output) as OutputSpec | undefined;
    const from = spec ? sources(e.from.node, spec.type) : [];
    if (!from.length) cut.push({ node: e.to.node, input: e.to.input, bypassed: e.from.node, type: spec?.type ?? '?' });
    // Ids stay unique: a link re-attached to several sources (a multi input) numbers its copies.
    from.forEach((f, i) =>
      edges.push({ ...e, ...(e.id !== undefined ? { id: i ? `${e.id}~${i}` : e.id } : {}), from: { ...f } }),
    );
  }
  return { doc: { ...doc, nodes: doc.nodes.filter((n) => !bypassed.has(n.id)), edges }, cut };
}
