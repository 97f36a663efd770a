import { z } from 'zod';
import { PackSummarySchema } from './serverInfo.js';

/** GET /api/models/details: a pack with what its manifest says (the model manager's rows). */
export const PackDetailsSchema = PackSummarySchema.extend({
  /** The diffusers scheduler class the pack ships (scheduler/scheduler_config.json). */
  scheduler: z.string(),
  layers: z.object({
    self: z.number().int(),
    cross: z.number().int(),
    /** Layers the controls reach (the rest run fused or plain). */
    controlled: z.number().int(),
  }),
  sizeBytes: z.number().int().nonnegative(),
  /** Only packs the server imported (in its own packs folder) can be removed through the API. */
  removable: z.boolean(),
});
export type PackDetails = z.infer<typeof PackDetailsSchema>;

/** An export folder under one of the server's configured import roots: `root:relative/path`. */
export const ExportCandidateSchema = z.object({ source: z.string(), name: z.string() });
export type ExportCandidate = z.infer<typeof ExportCandidateSchema>;

export const PACK_ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** POST /api/models/imports: which export (a `source` the server listed) becomes which pack id. */
export const StartImportRequestSchema = z.object({
  source: z.string().min(1).max(1000),
  id: z.string().regex(PACK_ID_PATTERN, 'lowercase letters, digits, ".", "_" or "-", at most 64'),
});
export type StartImportRequest = z.infer<typeof StartImportRequestSchema>;

/** An import the server runs in the background; poll GET /api/models/imports/:id. */
export const ImportJobSchema = z.object({
  id: z.string(),
  packId: z.string(),
  source: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  /** Bytes written so far over the export's bytes (copying dominates), 0..1. */
  progress: z.number().min(0).max(1),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type ImportJob = z.infer<typeof ImportJobSchema>;

export const ModelManagerResponseSchema = z.object({
  packs: z.array(PackDetailsSchema),
  exports: z.array(ExportCandidateSchema),
  imports: z.array(ImportJobSchema),
});
export type ModelManagerResponse = z.infer<typeof ModelManagerResponseSchema>;
