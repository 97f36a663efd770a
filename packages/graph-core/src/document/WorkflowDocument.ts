import { z } from 'zod';

/** The schema version this build writes. Older documents migrate forward on load. */
export const CURRENT_SCHEMA_VERSION = 3;

/** Hard limits that keep a hostile or broken document from exhausting memory. */
export const DOCUMENT_LIMITS = {
  maxJsonBytes: 16 * 1024 * 1024,
  maxNodes: 10_000,
  maxEdges: 50_000,
  maxIdLength: 128,
  maxTags: 64,
  /** Block definitions per document, sockets/params each block exposes, and how deep blocks nest. */
  maxSubgraphs: 256,
  maxExposed: 64,
  maxSubgraphDepth: 8,
} as const;

const Id = z.string().min(1).max(DOCUMENT_LIMITS.maxIdLength);

/** Editor-only data: never part of a cache key, never affects results. */
export const NodeUiSchema = z.object({
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  size: z.object({ width: z.number().positive(), height: z.number().positive() }).optional(),
  color: z.string().max(64).optional(),
  label: z.string().max(200).optional(),
  collapsed: z.boolean().optional(),
  /** Pinned in place (ComfyUI's Pin): the editor does not let it be dragged. */
  pinned: z.boolean().optional(),
});
export type NodeUi = z.infer<typeof NodeUiSchema>;

/** A frame around some nodes in the editor (moves with them); never affects results. */
export const NodeGroupSchema = z.object({
  id: Id,
  title: z.string().max(200),
  color: z.string().max(64),
  nodes: z.array(Id).max(DOCUMENT_LIMITS.maxNodes),
});
export type NodeGroup = z.infer<typeof NodeGroupSchema>;

export const WorkflowNodeSchema = z.object({
  id: Id,
  type: z.string().min(1).max(200),
  typeVersion: z.number().int().min(1),
  /** Params by name. Checked against the node type's schema by validation, not here. */
  params: z.record(z.string(), z.unknown()).default({}),
  /**
   * Why the node does not run (ComfyUI's modes): `bypass` (Ctrl+B) passes each output's first input
   * of the same type on; `mute` (Ctrl+M) leaves it out with whatever needs its outputs.
   */
  mode: z.enum(['bypass', 'mute']).optional(),
  ui: NodeUiSchema.optional(),
});
export type WorkflowNode = z.infer<typeof WorkflowNodeSchema>;

export const WorkflowEdgeSchema = z.object({
  id: Id.optional(),
  from: z.object({ node: Id, output: z.string().min(1).max(200) }),
  to: z.object({ node: Id, input: z.string().min(1).max(200) }),
});
export type WorkflowEdge = z.infer<typeof WorkflowEdgeSchema>;

export const WorkflowMetadataSchema = z.object({
  name: z.string().max(200).default('Untitled workflow'),
  description: z.string().max(10_000).default(''),
  tags: z.array(z.string().min(1).max(64)).max(DOCUMENT_LIMITS.maxTags).default([]),
  createdAt: z.iso.datetime().optional(),
  updatedAt: z.iso.datetime().optional(),
});
export type WorkflowMetadata = z.infer<typeof WorkflowMetadataSchema>;

const SocketName = z.string().min(1).max(200);

/** An input of a block: what reaches it from outside feeds every one of its inner targets. */
export const SubgraphInputSchema = z.object({
  name: SocketName,
  label: z.string().max(200).optional(),
  targets: z
    .array(z.object({ node: Id, input: SocketName }))
    .min(1)
    .max(DOCUMENT_LIMITS.maxExposed),
});
export type SubgraphInput = z.infer<typeof SubgraphInputSchema>;

/** An output of a block: one inner node's output, seen from outside. */
export const SubgraphOutputSchema = z.object({
  name: SocketName,
  label: z.string().max(200).optional(),
  from: z.object({ node: Id, output: SocketName }),
});
export type SubgraphOutput = z.infer<typeof SubgraphOutputSchema>;

/** A param of a block: set on the block node, it overrides one inner node's param. */
export const SubgraphParamSchema = z.object({
  name: SocketName,
  label: z.string().max(200).optional(),
  node: Id,
  param: SocketName,
});
export type SubgraphParam = z.infer<typeof SubgraphParamSchema>;

/**
 * A reusable block (subgraph): inner nodes and edges plus what it exposes. A node of type
 * `subgraph:<id>` is one use of it; runs flatten it into its inner nodes (see flattenSubgraphs),
 * so a folded graph computes, and caches, exactly what the unfolded one does.
 */
export const SubgraphSchema = z.object({
  id: Id.regex(/^[^/]+$/, 'a block id cannot contain "/"'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).default(''),
  color: z.string().max(64).optional(),
  nodes: z.array(WorkflowNodeSchema).max(DOCUMENT_LIMITS.maxNodes),
  edges: z.array(WorkflowEdgeSchema).max(DOCUMENT_LIMITS.maxEdges).default([]),
  inputs: z.array(SubgraphInputSchema).max(DOCUMENT_LIMITS.maxExposed).default([]),
  outputs: z.array(SubgraphOutputSchema).max(DOCUMENT_LIMITS.maxExposed).default([]),
  params: z.array(SubgraphParamSchema).max(DOCUMENT_LIMITS.maxExposed).default([]),
});
export type Subgraph = z.infer<typeof SubgraphSchema>;
export type SubgraphDefinitionInput = z.input<typeof SubgraphSchema>;

/** Node types of block uses: `subgraph:<block id>`. */
export const SUBGRAPH_TYPE_PREFIX = 'subgraph:';
export const subgraphType = (id: string): string => `${SUBGRAPH_TYPE_PREFIX}${id}`;
/** The block id of a block node's type, or undefined for an ordinary node type. */
export const subgraphIdOf = (type: string): string | undefined =>
  type.startsWith(SUBGRAPH_TYPE_PREFIX) ? type.slice(SUBGRAPH_TYPE_PREFIX.length) : undefined;

export const WorkflowDocumentSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id: Id.optional(),
  metadata: WorkflowMetadataSchema.default({ name: 'Untitled workflow', description: '', tags: [] }),
  nodes: z.array(WorkflowNodeSchema).max(DOCUMENT_LIMITS.maxNodes),
  edges: z.array(WorkflowEdgeSchema).max(DOCUMENT_LIMITS.maxEdges).default([]),
  /** Block definitions used by `subgraph:<id>` nodes here (and by other blocks). Since version 3. */
  subgraphs: z.array(SubgraphSchema).max(DOCUMENT_LIMITS.maxSubgraphs).optional(),
  /** Editor-only view state: the viewport and the titled, coloured frames grouping nodes. */
  ui: z
    .object({
      viewport: z.object({ x: z.number(), y: z.number(), zoom: z.number().positive() }).optional(),
      groups: z.array(NodeGroupSchema).max(1000).optional(),
    })
    .optional(),
});
export type WorkflowDocument = z.infer<typeof WorkflowDocumentSchema>;
/** What callers may write: defaults filled in on parse. */
export type WorkflowDocumentInput = z.input<typeof WorkflowDocumentSchema>;
