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

/** A node that does not run because a required input of it comes only from muted nodes. */
export interface MutedWith {
  readonly node: string;
  readonly input: string;
  /** The node the user muted that silenced it (through other silenced or bypassed nodes). */
  readonly muted: string;
}

export interface ModedDocument {
  /** The same object as the input when no node is bypassed or muted. */
  readonly doc: WorkflowDocument;
  readonly cut: readonly CutLink[];
  /** Nodes silenced with a muted node upstream, in the order they were found. */
  readonly mutedWith: readonly MutedWith[];
}

type Source = { node: string; output: string };
/** What a link resolves to: outputs of nodes that run, or nothing and the muted node to blame. */
type Resolved = { from: readonly Source[]; muted?: string };

/**
 * Takes the nodes whose mode keeps them from running out of the graph that is checked and run:
 * - `bypass` (ComfyUI's Ctrl+B): each link from one of its outputs is re-attached to whatever feeds
 *   the node's first connected input of that type (through chains of bypassed nodes), or cut when it
 *   has none (validation then names the bypassed node);
 * - `mute` (ComfyUI's Ctrl+M): the node and its links are gone, and so is every node that a required
 *   input ties to it (what is downstream of a muted node cannot run either), so muting a branch's
 *   first node turns off the branch. An optional or multi input merely loses those links.
 * Neither kind of node runs or has problems of its own. A node of an unknown type is left in, so
 * validation reports it.
 */
export function applyNodeModes(doc: WorkflowDocument, registry: NodeRegistry): ModedDocument {
  const moded = doc.nodes.filter((n) => n.mode && registry.get(n.type));
  if (!moded.length) return { doc, cut: [], mutedWith: [] };
  const bypassed = new Set(moded.filter((n) => n.mode === 'bypass').map((n) => n.id));
  /** Silenced node -> the muted node it answers to (itself for one the user muted). */
  const silenced = new Map(moded.filter((n) => n.mode === 'mute').map((n) => [n.id, n.id]));
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  const incoming = new Map<string, WorkflowEdge[]>();
  for (const e of doc.edges) {
    const into = incoming.get(e.to.node);
    if (into) into.push(e);
    else incoming.set(e.to.node, [e]);
  }

  // Memoised per node and type: a chain or a diamond of bypassed nodes is walked once (linear in
  // edges). Cleared when more nodes fall silent, since what they fed resolves differently then.
  const memo = new Map<string, Resolved>();
  const resolveLinks = (links: readonly WorkflowEdge[]): Resolved => {
    const from: Source[] = [];
    let muted: string | undefined;
    for (const e of links) {
      const r = resolveOutput(e.from.node, e.from.output);
      from.push(...r.from);
      muted ??= r.muted;
    }
    return from.length ? { from } : muted ? { from, muted } : { from };
  };
  /** What a link from this output carries: itself, what a bypassed node passes on, or nothing. */
  const resolveOutput = (node: string, output: string): Resolved => {
    const muted = silenced.get(node);
    if (muted !== undefined) return { from: [], muted };
    if (!bypassed.has(node)) return { from: [{ node, output }] };
    const spec = own(registry.get(types.get(node)!)!.outputs, output) as OutputSpec | undefined;
    return spec ? passedOn(node, spec.type) : { from: [] };
  };
  /** The links into bypassed `node`'s first input of `type` that still carry something. */
  const passedOn = (node: string, type: string): Resolved => {
    const key = `${node}\u0000${type}`;
    const known = memo.get(key);
    if (known) return known;
    memo.set(key, { from: [] }); // a loop of bypassed nodes passes nothing on
    const links = incoming.get(node) ?? [];
    let found: Resolved = { from: [] };
    for (const [name, spec] of Object.entries(registry.get(types.get(node)!)!.inputs as Record<string, InputSpec>)) {
      if (spec.type !== type) continue;
      const into = links.filter((e) => e.to.input === name);
      if (!into.length) continue;
      const r = resolveLinks(into);
      // An input fed only by muted nodes is as good as unconnected: the next one of the type may do.
      found = r.from.length ? r : { from: [], muted: found.muted ?? r.muted };
      if (r.from.length || !r.muted) break;
    }
    memo.set(key, found);
    return found;
  };

  // Silence spreads downstream until nothing more falls silent (each pass silences at least one node).
  const mutedWith: MutedWith[] = [];
  for (let changed = silenced.size > 0; changed;) {
    changed = false;
    memo.clear();
    for (const node of doc.nodes) {
      const def = registry.get(node.type);
      if (!def || silenced.has(node.id) || bypassed.has(node.id)) continue;
      const links = incoming.get(node.id) ?? [];
      for (const [name, spec] of Object.entries(def.inputs as Record<string, InputSpec>)) {
        if (spec.optional || spec.multi) continue;
        const into = links.filter((e) => e.to.input === name);
        const r = into.length ? resolveLinks(into) : { from: [] };
        if (r.from.length || r.muted === undefined) continue;
        silenced.set(node.id, r.muted);
        mutedWith.push({ node: node.id, input: name, muted: r.muted });
        changed = true;
        break;
      }
    }
  }

  memo.clear();
  const edges: WorkflowEdge[] = [];
  const cut: CutLink[] = [];
  for (const e of doc.edges) {
    if (bypassed.has(e.to.node) || silenced.has(e.to.node)) continue;
    if (!bypassed.has(e.from.node) && !silenced.has(e.from.node)) {
      edges.push(e);
      continue;
    }
    const { from, muted } = resolveOutput(e.from.node, e.from.output);
    if (!from.length && muted === undefined) {
      const spec = own(registry.get(types.get(e.from.node)!)!.outputs, e.from.output) as OutputSpec | undefined;
      cut.push({ node: e.to.node, input: e.to.input, bypassed: e.from.node, type: spec?.type ?? '?' });
    }
    // Ids stay unique: a link re-attached to several sources (a multi input) numbers its copies.
    from.forEach((f, i) =>
      edges.push({ ...e, ...(e.id !== undefined ? { id: i ? `${e.id}~${i}` : e.id } : {}), from: { ...f } }),
    );
  }
  const gone = (id: string) => bypassed.has(id) || silenced.has(id);
  return { doc: { ...doc, nodes: doc.nodes.filter((n) => !gone(n.id)), edges }, cut, mutedWith };
}
