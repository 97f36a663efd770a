import { subgraphIdOf, subgraphType } from '@ptp/graph-core';
import { mergeBlocks } from './blocks';
import { pasteNodes, type ClipboardPayload } from './clipboard';
import { edgeIdFor, type EditorGraph, type EditorNode } from './editorGraph';
import { newNodeId, type CatalogueIndex } from './catalogueIndex';
import type { DanglingLink } from './quickAdd';
import { checkConnection, type ConnectionAttempt, type ConnectionCheck } from './isValidConnection';

/**
 * The editor's graph edits as pure functions, graph in, graph out. An edit that changes nothing
 * returns the same graph object, so the store records no undo step and subscribers see no change.
 */

/** Changes one node; the same graph when there is no such node or `update` returns it unchanged. */
function updateNode(g: EditorGraph, nodeId: string, update: (n: EditorNode) => EditorNode): EditorGraph {
  const i = g.nodes.findIndex((n) => n.id === nodeId);
  const node = g.nodes[i];
  if (!node) return g;
  const next = update(node);
  if (next === node) return g;
  const nodes = [...g.nodes];
  nodes[i] = next;
  return { ...g, nodes };
}

const deselected = (nodes: readonly EditorNode[]): EditorNode[] =>
  nodes.map((n) => (n.selected ? { ...n, selected: false } : n));

export function withParam(g: EditorGraph, nodeId: string, name: string, value: unknown): EditorGraph {
  return updateNode(g, nodeId, (node) =>
    Object.is(node.data.params[name], value)
      ? node
      : { ...node, data: { ...node.data, params: { ...node.data.params, [name]: value } } },
  );
}

/** Drops a param so the node uses the type's default again. */
export function withoutParam(g: EditorGraph, nodeId: string, name: string): EditorGraph {
  return updateNode(g, nodeId, (node) => {
    if (!(name in node.data.params)) return node;
    const { [name]: _drop, ...params } = node.data.params;
    return { ...node, data: { ...node.data, params } };
  });
}

export function withNodeUi(
  g: EditorGraph,
  nodeId: string,
  patch: Partial<Pick<EditorNode['data'], 'label' | 'color' | 'collapsed' | 'pinned'>>,
): EditorGraph {
  return updateNode(g, nodeId, (node) => ({ ...node, data: { ...node.data, ...patch } }));
}

/** Adds a node as the only selected one. */
export function withNode(g: EditorGraph, node: EditorNode): EditorGraph {
  return { ...g, nodes: [...deselected(g.nodes), { ...node, selected: true }] };
}

/**
 * Adds a node of `type` (selected) with the catalogue's param defaults under `defaults`; with
 * `link`, also links the dangling socket it was added for to its `link.socket` (a link the types
 * refuse is left out). Undefined for a type the catalogue lacks.
 */
export function withNewNode(
  g: EditorGraph,
  index: CatalogueIndex,
  type: string,
  position: { x: number; y: number },
  defaults?: Record<string, unknown>,
  link?: Omit<DanglingLink, 'type'> & { socket: string },
): { graph: EditorGraph; id: string } | undefined {
  const entry = index.byType.get(type);
  if (!entry) return undefined;
  const id = newNodeId(type, new Set(g.nodes.map((n) => n.id)));
  const params = structuredClone({ ...entry.defaults, ...defaults });
  const added = withNode(g, {
    id,
    type: 'ptp',
    position,
    data: { nodeType: type, typeVersion: entry.version, params },
    selected: true,
  });
  if (!link) return { graph: added, id };
  const attempt =
    link.side === 'source'
      ? { source: link.node, sourceHandle: link.handle, target: id, targetHandle: link.socket }
      : { source: id, sourceHandle: link.socket, target: link.node, targetHandle: link.handle };
  return { graph: withConnection(added, attempt, index).graph, id };
}

export function withEdge(
  g: EditorGraph,
  link: { source: string; sourceHandle: string; target: string; targetHandle: string },
): EditorGraph {
  const { source, sourceHandle, target, targetHandle } = link;
  const id = edgeIdFor(source, sourceHandle, target, targetHandle, new Set(g.edges.map((e) => e.id)));
  return { ...g, edges: [...g.edges, { id, source, sourceHandle, target, targetHandle }] };
}

/**
 * The graph with the link `attempt` when checkConnection allows it, in place of the link a single
 * input held (unchanged otherwise), and the verdict either way.
 */
export function withConnection(
  g: EditorGraph,
  attempt: ConnectionAttempt,
  index: CatalogueIndex,
): { graph: EditorGraph; verdict: ConnectionCheck } {
  const verdict = checkConnection(attempt, g.nodes, g.edges, index);
  if (!verdict.ok) return { graph: g, verdict };
  const link = attempt as { source: string; sourceHandle: string; target: string; targetHandle: string };
  return { graph: withEdge(withoutEdges(g, verdict.replaces ? [verdict.replaces] : []), link), verdict };
}

export function withoutEdges(g: EditorGraph, ids: readonly string[]): EditorGraph {
  const drop = new Set(ids);
  return g.edges.some((e) => drop.has(e.id)) ? { ...g, edges: g.edges.filter((e) => !drop.has(e.id)) } : g;
}

/** Removes nodes with every link to or from them. */
export function withoutNodes(g: EditorGraph, ids: Iterable<string>, edgeIds: Iterable<string> = []): EditorGraph {
  const nodes = new Set(ids);
  const edges = new Set(edgeIds);
  if (!g.nodes.some((n) => nodes.has(n.id)) && !g.edges.some((e) => edges.has(e.id))) return g;
  return {
    ...g,
    nodes: g.nodes.filter((n) => !nodes.has(n.id)),
    edges: g.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
}

/** The selected nodes (with their links) and the selected edges removed. */
export function withoutSelection(g: EditorGraph): EditorGraph {
  return withoutNodes(
    g,
    g.nodes.filter((n) => n.selected).map((n) => n.id),
    g.edges.filter((e) => e.selected).map((e) => e.id),
  );
}

/** Exactly these nodes selected (nodes whose selection does not change keep their objects). */
export function withSelection(g: EditorGraph, ids: readonly string[]): EditorGraph {
  const want = new Set(ids);
  return {
    ...g,
    nodes: g.nodes.map((n) => (Boolean(n.selected) === want.has(n.id) ? n : { ...n, selected: want.has(n.id) })),
  };
}

/**
 * Pastes a clipboard payload as the selection. The blocks its nodes use join the graph's (an
 * identical definition is reused, a clash renamed). With `withInputs` (Ctrl+Shift+V) the copies
 * keep the links that fed them, where those nodes are here and, given `index`, the types still fit
 * (another workflow's node of the same id may be another type). Returns the pasted node ids too.
 */
export function withPasted(
  g: EditorGraph,
  payload: ClipboardPayload,
  at?: { x: number; y: number },
  withInputs = false,
  index?: CatalogueIndex,
): { graph: EditorGraph; ids: string[] } {
  const merged = payload.subgraphs?.length ? mergeBlocks(g.subgraphs ?? [], payload.subgraphs) : undefined;
  const nodes = merged
    ? payload.nodes.map((n) => {
        const id = subgraphIdOf(n.type);
        const to = id === undefined ? undefined : merged.ids.get(id);
        return to === undefined ? n : { ...n, type: subgraphType(to) };
      })
    : payload.nodes;
  const pasted = pasteNodes({ ...payload, nodes }, new Set(g.nodes.map((n) => n.id)), {
    ...(at ? { at } : {}),
    withInputs,
  });
  const ids = pasted.nodes.map((n) => n.id);
  const allNodes = [...deselected(g.nodes), ...pasted.nodes];
  const edges = [...g.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...pasted.edges];
  // Links into the copies from nodes already here: kept where the types fit.
  const fresh = new Set(ids);
  const fits = (e: EditorGraph['edges'][number]) =>
    !index ||
    fresh.has(e.source) ||
    !fresh.has(e.target) ||
    checkConnection(
      e,
      allNodes,
      edges.filter((x) => x !== e),
      index,
    ).ok;
  const graph: EditorGraph = {
    ...g,
    ...(merged ? { subgraphs: merged.subgraphs } : {}),
    nodes: allNodes,
    edges: edges.filter(fits),
  };
  return { graph, ids };
}

/**
 * Puts node `nodeId` into link `edgeId`: the link's source feeds the node's first input that takes
 * it, and the node's first output the link's target takes feeds the target, in place of the link
 * (ComfyUI's drop on a link). Only a node with no links of its own is spliced in, so nothing it is
 * wired to changes. Undefined when there is no such link or node, or no input/output pair fits.
 */
export function withSpliced(
  g: EditorGraph,
  index: CatalogueIndex,
  nodeId: string,
  edgeId: string,
): EditorGraph | undefined {
  const edge = g.edges.find((e) => e.id === edgeId);
  const node = g.nodes.find((n) => n.id === nodeId);
  const entry = node && index.byType.get(node.data.nodeType);
  if (!edge || !entry || g.edges.some((e) => e.source === nodeId || e.target === nodeId)) return undefined;
  const cut = withoutEdges(g, [edgeId]);
  for (const input of Object.keys(entry.inputs)) {
    const linkIn = { source: edge.source, sourceHandle: edge.sourceHandle, target: nodeId, targetHandle: input };
    const fed = withConnection(cut, linkIn, index);
    if (!fed.verdict.ok) continue;
    for (const output of Object.keys(entry.outputs)) {
      const linkOut = { source: nodeId, sourceHandle: output, target: edge.target, targetHandle: edge.targetHandle };
      const spliced = withConnection(fed.graph, linkOut, index);
      if (spliced.verdict.ok) return spliced.graph;
    }
  }
  return undefined;
}

/**
 * A link dragged from a socket and let go on a node's body (ComfyUI's habit): linked to that node's
 * first socket the types allow, a free one before one that is linked already. Undefined when none
 * takes it.
 */
export function withLinkToNode(
  g: EditorGraph,
  index: CatalogueIndex,
  link: Omit<DanglingLink, 'type'>,
  nodeId: string,
): EditorGraph | undefined {
  const node = g.nodes.find((n) => n.id === nodeId);
  const entry = node && index.byType.get(node.data.nodeType);
  if (!entry || nodeId === link.node) return undefined;
  const fromOutput = link.side === 'source';
  const sockets = Object.keys(fromOutput ? entry.inputs : entry.outputs);
  const linked = new Set(g.edges.filter((e) => e.target === nodeId).map((e) => e.targetHandle));
  const ordered = fromOutput
    ? [...sockets.filter((s) => !linked.has(s)), ...sockets.filter((s) => linked.has(s))]
    : sockets;
  for (const socket of ordered) {
    const attempt = fromOutput
      ? { source: link.node, sourceHandle: link.handle, target: nodeId, targetHandle: socket }
      : { source: nodeId, sourceHandle: socket, target: link.node, targetHandle: link.handle };
    const made = withConnection(g, attempt, index);
    if (made.verdict.ok) return made.graph;
  }
  return undefined;
}
