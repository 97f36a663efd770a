import { z } from 'zod';

/** The schema version this build writes. Older documents migrate forward on load. */
export const CURRENT_SCHEMA_VERSION = 2;

/** Hard limits that keep a hostile or broken document from exhausting memory. */
export const DOCUMENT_LIMITS = {
  maxJsonBytes: 16 * 1024 * 1024,
  maxNodes: 10_000,
  maxEdges: 50_000,
  maxIdLength: 128,
  maxTags: 64,
} as const;

const Id = z.string().min(1).max(DOCUMENT_LIMITS.maxIdLength);

/** Editor-only data: never part of a cache key, never affects results. */
export const NodeUiSchema = z.object({
  position: z.object({ x: z.number(), y: z.number() }).default({ x: 0, y: 0 }),
  size: z.object({ width: z.number().positive(), height: z.number().positive() }).optional(),
  color: z.string().max(64).optional(),
  label: z.string().max(200).optional(),
  collapsed: z.boolean().optional(),
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

export const WorkflowDocumentSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  id: Id.optional(),
  metadata: WorkflowMetadataSchema.default({ name: 'Untitled workflow', description: '', tags: [] }),
  nodes: z.array(WorkflowNodeSchema).max(DOCUMENT_LIMITS.maxNodes),
  edges: z.array(WorkflowEdgeSchema).max(DOCUMENT_LIMITS.maxEdges).default([]),
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
