import type { WorkflowDocument, WorkflowEdge, WorkflowNode } from './document/WorkflowDocument.js';
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
  /** That node is a reroute (a pass-through node) with nothing linked into it. */
  readonly reroute?: true;
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
 * - a reroute (a type whose definition is `passThrough`, ComfyUI's Reroute) is bypassed whatever its
 *   mode, for any type: links from it come from what feeds it, so types are checked end to end.
 * None of these nodes runs or has problems of its own. A node of an unknown type is left in, so
 * validation reports it.
 */
export function applyNodeModes(doc: WorkflowDocument, registry: NodeRegistry): ModedDocument {
  // A reroute (a pass-through node) is a bypassed node that passes on any type, whatever its mode says.
  const wire = (n: WorkflowNode) => registry.get(n.type)?.passThrough === true;
  const moded = doc.nodes.filter((n) => (n.mode && registry.get(n.type)) || wire(n));
  if (!moded.length) return { doc, cut: [], mutedWith: [] };
  const bypassed = new Set(moded.filter((n) => n.mode === 'bypass' || (wire(n) && n.mode !== 'mute')).map((n) => n.id));
  /** Silenced node -> the muted node it answers to (itself for one the user muted). */
  const silenced = new Map(moded.filter((n) => n.mode === 'mute').map((n) => [n.id, n.id]));
  const types = new Map(doc.nodes.map((n) => [n.id, n.type]));
  // Only for nodes of a known type (the moded ones, and what bypassed nodes are walked through).
  const defOf = (node: string) => registry.get(types.get(node)!)!;
  const outputSpecOf = (node: string, output: string) => own(defOf(node).outputs, output) as OutputSpec | undefined;
  const incoming = new Map<string, WorkflowEdge[]>();
  for (const e of doc.edges) {
    const into = incoming.get(e.to.node);
    if (into) into.push(e);
    else incoming.set(e.to.node, [e]);
  }

  // Memoised per bypassed node and type: a chain or a diamond of bypassed nodes is walked once
  // (linear in edges). A node falling silent forgets what the bypassed nodes below it passed on.
  const memo = new Map<string, Map<string, Resolved>>();
  const resolveLinks = (links: readonly WorkflowEdge[]): Resolved => {
    const from: Source[] = [];
    let muted: string | undefined;
    for (const e of links) {
      const r = resolveOutput(e.from.node, e.from.output);
      from.push(...r.from);
      muted ??= r.muted;
    }
    return !from.length && muted ? { from, muted } : { from };
  };
  const memoOf = (node: string) => {
    let byType = memo.get(node);
    if (!byType) memo.set(node, (byType = new Map()));
    return byType;
  };
  /** What a link from this output carries when that is known without walking: undefined when a bypassed node's answer is still to be found. */
  const direct = (node: string, output: string): Resolved | undefined => {
    const muted = silenced.get(node);
    if (muted !== undefined) return { from: [], muted };
    if (!bypassed.has(node)) return { from: [{ node, output }] };
    const spec = outputSpecOf(node, output);
    return spec ? memo.get(node)?.get(spec.type) : { from: [] };
  };
  /** What a link from this output carries: itself, what a bypassed node passes on, or nothing. */
  const resolveOutput = (node: string, output: string): Resolved =>
    direct(node, output) ?? passedOn(node, outputSpecOf(node, output)!.type);

  /**
   * What bypassed `node` passes on for `type`: the links into its first input of that type that
   * still carry something (an input fed only by muted nodes is as good as unconnected, so the next
   * one of the type may do). Walked with a stack of its own, not the call stack: a chain of
   * thousands of bypassed nodes is a document a client may send.
   */
  const passedOn = (node: string, type: string): Resolved => {
    interface Frame {
      node: string;
      type: string;
      /** The links of each connected input of `type`, in the definition's order. */
      inputs: WorkflowEdge[][];
      i: number;
      j: number;
      from: Source[];
      muted?: string;
      found: Resolved;
    }
    const open = (node: string, type: string): Frame => {
      memoOf(node).set(type, { from: [] }); // a loop of bypassed nodes passes nothing on
      const links = incoming.get(node) ?? [];
      const inputs = Object.entries(defOf(node).inputs as Record<string, InputSpec>)
        .filter(([, spec]) => spec.type === type)
        .map(([name]) => links.filter((e) => e.to.input === name))
        .filter((into) => into.length > 0);
      return { node, type, inputs, i: 0, j: 0, from: [], found: { from: [] } };
    };
    const stack = [open(node, type)];
    for (;;) {
      const f = stack.at(-1)!;
      const links = f.inputs[f.i];
      if (links && f.j < links.length) {
        const e = links[f.j]!;
        const r = direct(e.from.node, e.from.output);
        if (r === undefined) {
          // Found first, then this link is looked at again.
          stack.push(open(e.from.node, outputSpecOf(e.from.node, e.from.output)!.type));
          continue;
        }
        f.from.push(...r.from);
        f.muted ??= r.muted;
        f.j++;
        continue;
      }
      if (links) {
        f.found = f.from.length ? { from: f.from } : { from: [], muted: f.found.muted ?? f.muted };
        if (!f.from.length && f.muted) {
          f.i++;
          f.j = 0;
          f.from = [];
          delete f.muted;
          continue;
        }
      }
      memoOf(f.node).set(f.type, f.found);
      stack.pop();
      if (!stack.length) return f.found;
    }
  };

  // Silence spreads downstream: a worklist of nodes to look at, each looked at again only when a
  // node feeding it (directly or through bypassed nodes) falls silent. Linear in the links, so a
  // long chain listed backwards costs no more than one listed forwards.
  const consumers = new Map<string, string[]>();
  for (const e of doc.edges) {
    const to = consumers.get(e.from.node);
    if (to) to.push(e.to.node);
    else consumers.set(e.from.node, [e.to.node]);
  }
  const mutedWith: MutedWith[] = [];
  const queue = silenced.size ? doc.nodes.map((n) => n.id) : [];
  const queued = new Set(queue);
  /** Queues what `id` feeds, through bypassed nodes, whose memo of what they pass on is dropped. */
  const requeueBelow = (id: string) => {
    const seen = new Set<string>();
    const walk = [id];
    while (walk.length)
      for (const next of consumers.get(walk.pop()!) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        if (bypassed.has(next)) {
          memo.delete(next);
          walk.push(next);
        } else if (!queued.has(next)) {
          queued.add(next);
          queue.push(next);
        }
      }
  };
  const nodesById = new Map(doc.nodes.map((n) => [n.id, n]));
  for (let at = 0; at < queue.length; at++) {
    const id = queue[at]!;
    queued.delete(id);
    const def = registry.get(nodesById.get(id)!.type);
    if (!def || silenced.has(id) || bypassed.has(id)) continue;
    const links = incoming.get(id) ?? [];
    for (const [name, spec] of Object.entries(def.inputs as Record<string, InputSpec>)) {
      if (spec.optional || spec.multi) continue;
      const into = links.filter((e) => e.to.input === name);
      const r = into.length ? resolveLinks(into) : { from: [] };
      if (r.from.length || r.muted === undefined) continue;
      silenced.set(id, r.muted);
      mutedWith.push({ node: id, input: name, muted: r.muted });
      requeueBelow(id);
      break;
    }
  }

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
      cut.push({
        node: e.to.node,
        input: e.to.input,
        bypassed: e.from.node,
        type: outputSpecOf(e.from.node, e.from.output)?.type ?? '?',
        ...(defOf(e.from.node).passThrough ? { reroute: true as const } : {}),
      });
    }
    // Ids stay unique: a link re-attached to several sources (a multi input) numbers its copies.
    from.forEach((f, i) =>
      edges.push({ ...e, ...(e.id !== undefined ? { id: i ? `${e.id}~${i}` : e.id } : {}), from: { ...f } }),
    );
  }
  const gone = (id: string) => bypassed.has(id) || silenced.has(id);
  return { doc: { ...doc, nodes: doc.nodes.filter((n) => !gone(n.id)), edges }, cut, mutedWith };
}
