import {
  CURRENT_SCHEMA_VERSION,
  type NodeGroup,
  type Subgraph,
  type WorkflowDocument,
  type WorkflowMetadata,
  type WorkflowNode,
} from '@ptp/graph-core';

/** A node mode of the document: why the node does not run. */
export type NodeMode = NonNullable<WorkflowNode['mode']>;

/**
 * The editor's graph state, in the shape @xyflow/react renders (nodes with `position` and `data`,
 * edges with `source`/`sourceHandle`/`target`/`targetHandle`) but declared here so the pure logic
 * modules and their tests need neither React nor the DOM. Handle ids are socket names.
 */
export interface PtpNodeData extends Record<string, unknown> {
  nodeType: string;
  typeVersion: number;
  params: Record<string, unknown>;
  /** Editor-only extras from the document's `node.ui` (never affect results). */
  label?: string;
  color?: string;
  collapsed?: boolean;
  /** Pinned in place: not draggable. */
  pinned?: boolean;
  /** Why it does not run: bypassed (Ctrl+B, outputs pass on inputs of the same type) or muted (Ctrl+M). */
  mode?: NodeMode;
}

export interface EditorNode {
  id: string;
  type: 'ptp';
  position: { x: number; y: number };
  data: PtpNodeData;
  selected?: boolean;
  dragging?: boolean;
  width?: number;
  height?: number;
  measured?: { width?: number; height?: number };
}

export interface EditorEdge {
  id: string;
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
  selected?: boolean;
  /** React Flow styling; set by the canvas from the socket colour. */
  style?: Record<string, string | number>;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export interface EditorGraph {
  nodes: EditorNode[];
  edges: EditorEdge[];
  metadata: WorkflowMetadata;
  /** The document id, when the document carries one. */
  documentId?: string;
  viewport?: Viewport;
  /** Frames around nodes (editor-only; saved in the document's `ui.groups`). */
  groups?: NodeGroup[];
  /** Block definitions the document holds (its `subgraphs`): what `subgraph:<id>` nodes run. */
  subgraphs?: Subgraph[];
}

/** Column width and row height of the automatic layout for nodes saved without positions. */
const LAYOUT = { column: 320, row: 180 } as const;

/** A stable, readable id for an edge; made unique against `taken` when two edges coincide. */
export function edgeIdFor(
  source: string,
  output: string,
  target: string,
  input: string,
  taken?: ReadonlySet<string>,
): string {
  const base = `${source}.${output}->${target}.${input}`;
  if (!taken?.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}#${i}`)) return `${base}#${i}`;
}

/**
 * Places nodes that the document saved without `ui.position` in columns by their depth (longest
 * path from a source), so graphs written by hand or by the CLI open readable.
 */
function autoLayout(doc: WorkflowDocument): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  const incoming = new Map<string, string[]>();
  for (const e of doc.edges) incoming.set(e.to.node, [...(incoming.get(e.to.node) ?? []), e.from.node]);
  const visiting = new Set<string>();
  const depthOf = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (visiting.has(id)) return 0; // a cycle: validation reports it; layout just stops
    visiting.add(id);
    const d = Math.max(-1, ...(incoming.get(id) ?? []).map(depthOf)) + 1;
    visiting.delete(id);
    depth.set(id, d);
    return d;
  };
  const rows = new Map<number, number>();
  const out = new Map<string, { x: number; y: number }>();
  for (const n of doc.nodes) {
    const d = depthOf(n.id);
    const r = rows.get(d) ?? 0;
    rows.set(d, r + 1);
    out.set(n.id, { x: d * LAYOUT.column, y: r * LAYOUT.row });
  }
  return out;
}

/** A document node's editor data: its type and params, its editor extras and its mode. */
export function nodeData(n: WorkflowNode, params: Record<string, unknown>): PtpNodeData {
  const data: PtpNodeData = { nodeType: n.type, typeVersion: n.typeVersion, params };
  if (n.ui?.label !== undefined) data.label = n.ui.label;
  if (n.ui?.color !== undefined) data.color = n.ui.color;
  if (n.ui?.collapsed !== undefined) data.collapsed = n.ui.collapsed;
  if (n.ui?.pinned) data.pinned = true;
  if (n.mode) data.mode = n.mode;
  return data;
}

/** A loaded (current-version) document as editor state. Nodes keep their document order. */
export function documentToGraph(doc: WorkflowDocument): EditorGraph {
  const layout = doc.nodes.some((n) => !n.ui) ? autoLayout(doc) : undefined;
  const nodes: EditorNode[] = doc.nodes.map((n) => {
    const data = nodeData(n, { ...n.params });
    const node: EditorNode = {
      id: n.id,
      type: 'ptp',
      position: { ...(n.ui?.position ?? layout?.get(n.id) ?? { x: 0, y: 0 }) },
      data,
    };
    if (n.ui?.size) {
      node.width = n.ui.size.width;
      node.height = n.ui.size.height;
    }
    return node;
  });
  const taken = new Set<string>();
  const edges: EditorEdge[] = doc.edges.map((e) => {
    const id =
      e.id !== undefined && !taken.has(e.id)
        ? e.id
        : edgeIdFor(e.from.node, e.from.output, e.to.node, e.to.input, taken);
    taken.add(id);
    return { id, source: e.from.node, sourceHandle: e.from.output, target: e.to.node, targetHandle: e.to.input };
  });
  const graph: EditorGraph = { nodes, edges, metadata: structuredClone(doc.metadata) };
  if (doc.id !== undefined) graph.documentId = doc.id;
  if (doc.ui?.viewport) graph.viewport = { ...doc.ui.viewport };
  if (doc.ui?.groups?.length) graph.groups = structuredClone(doc.ui.groups);
  if (doc.subgraphs?.length) graph.subgraphs = structuredClone(doc.subgraphs);
  return graph;
}

/** Editor state back to a document: what is saved, exported, validated and run. */
export function graphToDocument(graph: EditorGraph, options: { includeViewport?: boolean } = {}): WorkflowDocument {
  const nodes: WorkflowNode[] = graph.nodes.map((n) => {
    const ui: NonNullable<WorkflowNode['ui']> = { position: { x: n.position.x, y: n.position.y } };
    if (n.width !== undefined && n.height !== undefined && n.width > 0 && n.height > 0)
      ui.size = { width: n.width, height: n.height };
    if (n.data.label !== undefined) ui.label = n.data.label;
    if (n.data.color !== undefined) ui.color = n.data.color;
    if (n.data.collapsed !== undefined) ui.collapsed = n.data.collapsed;
    if (n.data.pinned) ui.pinned = true;
    return {
      id: n.id,
      type: n.data.nodeType,
      typeVersion: n.data.typeVersion,
      params: n.data.params,
      ...(n.data.mode ? { mode: n.data.mode } : {}),
      ui,
    };
  });
  const doc: WorkflowDocument = {
    schemaVersion: CURRENT_SCHEMA_VERSION,
    metadata: graph.metadata,
    nodes,
    edges: graph.edges.map((e) => ({
      id: e.id,
      from: { node: e.source, output: e.sourceHandle },
      to: { node: e.target, input: e.targetHandle },
    })),
  };
  if (graph.documentId !== undefined) doc.id = graph.documentId;
  if (graph.subgraphs?.length) doc.subgraphs = graph.subgraphs;
  if (options.includeViewport !== false && graph.viewport) doc.ui = { viewport: { ...graph.viewport } };
  // Groups keep only nodes that still exist; a group left empty is gone.
  const ids = new Set(nodes.map((n) => n.id));
  const groups = (graph.groups ?? [])
    .map((g) => ({ ...g, nodes: g.nodes.filter((id) => ids.has(id)) }))
    .filter((g) => g.nodes.length > 0);
  if (groups.length) doc.ui = { ...doc.ui, groups };
  return doc;
}
