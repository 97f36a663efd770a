import { z } from 'zod';
import { WorkflowDocumentSchema, type WorkflowDocumentInput } from '../document/WorkflowDocument.js';
import { ApiIdSchema } from './runs.js';

const Tag = z.string().trim().min(1).max(64);

/** One entry of a workflow's history: every save is a new version; old ones stay readable. */
export const WorkflowVersionInfoSchema = z.object({
  version: z.number().int().min(1),
  savedAt: z.iso.datetime(),
  name: z.string(),
  note: z.string().optional(),
});
export type WorkflowVersionInfo = z.infer<typeof WorkflowVersionInfoSchema>;

export const WorkflowSummarySchema = z.object({
  id: ApiIdSchema,
  name: z.string(),
  description: z.string(),
  tags: z.array(z.string()),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** The latest version number. */
  version: z.number().int().min(1),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummarySchema>;

/** GET /api/workflows/:id: the latest version with its history (newest first). */
export const WorkflowRecordSchema = WorkflowSummarySchema.extend({
  document: WorkflowDocumentSchema,
  history: z.array(WorkflowVersionInfoSchema),
});
export type WorkflowRecord = z.infer<typeof WorkflowRecordSchema>;

/** GET /api/workflows/:id/versions/:version */
export const WorkflowVersionRecordSchema = WorkflowVersionInfoSchema.extend({
  id: ApiIdSchema,
  tags: z.array(z.string()),
  document: WorkflowDocumentSchema,
});
export type WorkflowVersionRecord = z.infer<typeof WorkflowVersionRecordSchema>;

/**
 * POST /api/workflows (create or import) and PUT /api/workflows/:id (a new version). Name, tags
 * and description default to the document's metadata. `baseVersion` on PUT guards against lost
 * updates: when it is not the latest version the save is refused with CONFLICT and nothing changes.
 */
export const SaveWorkflowRequestSchema = z.object({
  document: z.custom<WorkflowDocumentInput>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'document must be a JSON object (a workflow document)',
  ),
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(10_000).optional(),
  tags: z.array(Tag).max(64).optional(),
  baseVersion: z.number().int().min(1).optional(),
  note: z.string().max(500).optional(),
});
export type SaveWorkflowRequest = z.infer<typeof SaveWorkflowRequestSchema>;

/** GET /api/workflows?q=text&tag=a&tag=b: name/description search; every tag must match. */
export const WorkflowListQuerySchema = z.object({
  q: z.string().max(200).optional(),
  tag: z
    .union([Tag, z.array(Tag).max(16)])
    .optional()
    .transform((t) => (t === undefined ? [] : Array.isArray(t) ? t : [t])),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export const WorkflowListResponseSchema = z.object({
  workflows: z.array(WorkflowSummarySchema),
  total: z.number().int().nonnegative(),
});
export type WorkflowListResponse = z.infer<typeof WorkflowListResponseSchema>;
