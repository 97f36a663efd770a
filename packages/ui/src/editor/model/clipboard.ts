import { SubgraphSchema, subgraphIdOf, WorkflowEdgeSchema, WorkflowNodeSchema } from '@ptp/graph-core';
import { blockClosure } from './blocks';
import { z } from 'zod';
import { newNodeId } from './catalogueIndex';
import {
  edgeIdFor,
  graphToDocument,
  nodeData,
  type EditorEdge,
  type EditorGraph,
  type EditorNode,
} from './editorGraph';

/** What copy puts on the clipboard (as JSON text, so it pastes across tabs): nodes and the links among them. */
export const ClipboardPayloadSchema = z.object({
  kind: z.literal('ptp-studio/nodes'),
  version: z.literal(1),
  nodes: z.array(WorkflowNodeSchema).min(1).max(2000),
  edges: z.array(WorkflowEdgeSchema).max(10_000),
  /** Links into the copied nodes from nodes not copied: Ctrl+Shift+V keeps those whose source is there. */
  incoming: z.array(WorkflowEdgeSchema).max(10_000).optional(),
  /** When it was copied (ms since 1970): of two copies on offer, the later one is pasted. */
  copiedAt: z.number().optional(),
  /** Definitions of the blocks the copied nodes use, so they paste into another workflow whole. */
  subgraphs: z.array(SubgraphSchema).max(256).optional(),
});
export type ClipboardPayload = z.infer<typeof ClipboardPayloadSchema>;

/** The selected nodes and the edges between them; undefined when nothing is selected. */
export function copyNodes(graph: EditorGraph, ids: ReadonlySet<string>): ClipboardPayload | undefined {
  if (!ids.size) return undefined;
  const doc = graphToDocument(graph, { includeViewport: false });
  const nodes = doc.nodes.filter((n) => ids.has(n.id));
  if (!nodes.length) return undefined;
  const edges = doc.edges.filter((e) => ids.has(e.from.node) && ids.has(e.to.node));
  const incoming = doc.edges.filter((e) => !ids.has(e.from.node) && ids.has(e.to.node));
  const used = [...new Set(nodes.map((n) => subgraphIdOf(n.type)).filter((id) => id !== undefined))];
  const subgraphs = [
    ...new Map(used.flatMap((id) => blockClosure(doc.subgraphs ?? [], id)).map((d) => [d.id, d])).values(),
  ];
  return structuredClone({
    kind: 'ptp-studio/nodes',
    version: 1,
    nodes,
    edges,
    ...(incoming.length ? { incoming } : {}),
    ...(subgraphs.length ? { subgraphs } : {}),
  } as const);
}

/**
 * What Ctrl+V pastes of two copies: the system clipboard's and the one this studio keeps (localStorage,
 * shared by its tabs). The later copy wins: a clipboard the browser would not let the studio write
 * still holds an older copy, which must not win over the one just made.
 */
export function latestCopy(...texts: string[]): ClipboardPayload | undefined {
  const copies = texts.map(parseClipboard).filter((p): p is ClipboardPayload => p !== undefined);
  return copies.reduce<ClipboardPayload | undefined>(
    (best, p) => (!best || (p.copiedAt ?? 0) > (best.copiedAt ?? 0) ? p : best),
    undefined,
  );
}

/** Clipboard text back to a payload; anything else (plain text, other apps' JSON) is undefined. */
export function parseClipboard(text: string): ClipboardPayload | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    const parsed = ClipboardPayloadSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * New nodes and edges for a paste: fresh ids (no clash with `taken`), internal links remapped,
 * positions moved so the copied group's top-left lands at `at` (or `offset` from where it was).
 * The pasted nodes come selected so they can be dragged at once. With `withInputs` (Ctrl+Shift+V),
 * the links that fed the copies from outside them are kept where their source node is in `taken`.
 */
export function pasteNodes(
  payload: ClipboardPayload,
  taken: ReadonlySet<string>,
  place: { at?: { x: number; y: number }; offset?: number; withInputs?: boolean } = {},
): { nodes: EditorNode[]; edges: EditorEdge[] } {
  const ids = new Set(taken);
  const remap = new Map<string, string>();
  for (const n of payload.nodes) {
    const id = newNodeId(n.type, ids);
    ids.add(id);
    remap.set(n.id, id);
  }
  const minX = Math.min(...payload.nodes.map((n) => n.ui?.position.x ?? 0));
  const minY = Math.min(...payload.nodes.map((n) => n.ui?.position.y ?? 0));
  const offset = place.offset ?? 40;
  const dx = place.at ? place.at.x - minX : offset;
  const dy = place.at ? place.at.y - minY : offset;
  const nodes: EditorNode[] = payload.nodes.map((n) => {
    const data = nodeData(n, structuredClone(n.params));
    const pos = n.ui?.position ?? { x: 0, y: 0 };
    return { id: remap.get(n.id)!, type: 'ptp', position: { x: pos.x + dx, y: pos.y + dy }, data, selected: true };
  });
  const edgeIds = new Set<string>();
  const edges: EditorEdge[] = [];
  const outside = place.withInputs ? (payload.incoming ?? []).filter((e) => taken.has(e.from.node)) : [];
  for (const e of [...payload.edges, ...outside]) {
    const source = remap.get(e.from.node) ?? (taken.has(e.from.node) ? e.from.node : undefined);
    const target = remap.get(e.to.node);
    if (!source || !target) continue;
    const id = edgeIdFor(source, e.from.output, target, e.to.input, edgeIds);
    edgeIds.add(id);
    edges.push({ id, source, sourceHandle: e.from.output, target, targetHandle: e.to.input });
  }
  return { nodes, edges };
}
