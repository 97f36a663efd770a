import { z } from 'zod';
import type { WorkflowDocumentInput } from '../document/WorkflowDocument.js';
import { GraphErrorSchema } from '../errors.js';
import { BATCH_LIMITS } from '../batch/planBatch.js';
import { API_LIMITS } from './apiLimits.js';
import { MAX_RUN_SEEDS } from '../runSeeds.js';

/** Ids the server hands out for runs, workflows and outputs: safe in URLs and file names. */
export const ApiIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'ids are 1-64 of A-Z a-z 0-9 _ -');

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatusSchema>;
/** A run in one of these states never changes again (an interrupted one can be resubmitted as a new run). */
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'interrupted'];
export const isFinalRunStatus = (s: RunStatus): boolean => FINAL_RUN_STATUSES.includes(s);

export const RUN_PROVIDERS = ['cpu', 'webgpu', 'cuda'] as const;

export const RunRequestOptionsSchema = z.object({
  /** Execution provider on the server; default the server's. */
  provider: z.enum(RUN_PROVIDERS).optional(),
  /** Output node ids to produce (partial execution); default every output node. */
  targets: z.array(z.string().min(1).max(128)).min(1).max(API_LIMITS.maxTargets).optional(),
});
export type RunRequestOptions = z.infer<typeof RunRequestOptionsSchema>;

/**
 * Which batch a run belongs to (the editor's Batch… and `ptp run --server --count`): History groups
 * the runs by it and can cancel what is left of one. The client chooses the id.
 */
export const RunBatchSchema = z
  .object({
    id: ApiIdSchema,
    /** 0-based place in the batch's queue order. */
    index: z.number().int().min(0),
    size: z.number().int().min(1).max(BATCH_LIMITS.runs),
  })
  .refine((b) => b.index < b.size, { message: 'index must be below size', path: ['index'] });
export type RunBatch = z.infer<typeof RunBatchSchema>;

const isJsonObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * POST /api/runs and socket `run:submit`. The workflow is any saved document version: the server
 * migrates and validates it and answers every problem at once (code VALIDATION_FAILED / INVALID_DOCUMENT).
 */
export const RunRequestSchema = z.object({
  workflow: z.custom<WorkflowDocumentInput>(isJsonObject, 'workflow must be a JSON object (a workflow document)'),
  options: RunRequestOptionsSchema.default({}),
  /**
   * Idempotency key chosen by the client: submitting the same key twice answers the first run
   * instead of queueing another (a retry after a lost answer never runs a graph twice).
   */
  clientRequestId: z.string().min(1).max(128).optional(),
  batch: RunBatchSchema.optional(),
  /** Queue it ahead of every waiting run (ComfyUI's "Queue Front", InvokeAI's prepend). */
  front: z.boolean().optional(),
});
export type RunRequest = z.infer<typeof RunRequestSchema>;
export type RunRequestInput = z.input<typeof RunRequestSchema>;

/**
 * POST /api/runs/batch (InvokeAI's enqueue_batch): several run requests queued in one call, in
 * order. Every request is checked first and nothing is queued unless all pass; a batch whose runs
 * are all `front` keeps its own order ahead of the waiting runs.
 */
export const RunBatchRequestSchema = z.object({
  runs: z.array(RunRequestSchema).min(1).max(BATCH_LIMITS.runs),
});
export type RunBatchRequest = z.infer<typeof RunBatchRequestSchema>;
export type RunBatchRequestInput = z.input<typeof RunBatchRequestSchema>;

/** A file a run produced; download it from GET /api/runs/:id/outputs/:name. */
export const RunOutputSchema = z.object({
  name: z.string().min(1).max(255),
  nodeId: z.string(),
  mime: z.string(),
  size: z.number().int().nonnegative(),
});
export type RunOutput = z.infer<typeof RunOutputSchema>;

export const RunFailureSchema = z.object({
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  input: z.string().optional(),
  param: z.string().optional(),
  errors: z.array(GraphErrorSchema).optional(),
});
export type RunFailure = z.infer<typeof RunFailureSchema>;

/** The seeds a run samples with (see runSeeds), for run lists and the gallery. */
export const RunSeedsSchema = z.array(z.number().int().min(0)).max(MAX_RUN_SEEDS);

export const RunRecordSchema = z.object({
  id: ApiIdSchema,
  status: RunStatusSchema,
  /** The workflow's metadata name, for lists. */
  name: z.string(),
  options: RunRequestOptionsSchema,
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
  /** 0-based place among queued runs (0 runs next); only while queued. */
  queuePosition: z.number().int().nonnegative().optional(),
  /** Highest event seq recorded for the run, -1 before the first event. */
  lastSeq: z.number().int().min(-1),
  /** The latest progress of the executing node, while running. */
  progress: z.object({ nodeId: z.string(), value: z.number(), max: z.number() }).optional(),
  outputs: z.array(RunOutputSchema),
  /** Why it failed, was cancelled or interrupted. */
  error: RunFailureSchema.optional(),
  clientRequestId: z.string().optional(),
  /** For a resubmitted run: the run it repeats. */
  resubmittedFrom: ApiIdSchema.optional(),
  batch: RunBatchSchema.optional(),
  /** The seeds it samples with (every seed param of the nodes it runs, distinct); absent on older runs. */
  seeds: RunSeedsSchema.optional(),
});
export type RunRecord = z.infer<typeof RunRecordSchema>;

/** GET /api/runs/:id also returns the (migrated) workflow the run executes. */
export const RunDetailSchema = RunRecordSchema.extend({ workflow: z.record(z.string(), z.unknown()) });
export type RunDetail = z.infer<typeof RunDetailSchema>;

/**
 * GET /api/runs?status=queued&limit=50&q=swap&before=<run id>: newest first; `q` matches the
 * workflow name or run id (case-insensitive), `before` pages on from a run of the previous page,
 * `batch` keeps the runs of one batch.
 */
export const RunListQuerySchema = z.object({
  status: RunStatusSchema.optional(),
  batch: ApiIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  q: z.string().trim().max(200).optional(),
  before: ApiIdSchema.optional(),
});
export type RunListQuery = z.input<typeof RunListQuerySchema>;
export const RunListResponseSchema = z.object({ runs: z.array(RunRecordSchema) });
export type RunListResponse = z.infer<typeof RunListResponseSchema>;

/**
 * POST /api/runs/batches/:id/cancel: what is left of a batch is cancelled in one call, later runs
 * first (as InvokeAI's cancel batch). `cancelled` are the runs this call stopped or asked to stop;
 * `final` counts those that had already ended.
 */
export const BatchCancelResultSchema = z.object({
  batch: ApiIdSchema,
  cancelled: z.array(ApiIdSchema),
  final: z.number().int().min(0),
});
export type BatchCancelResult = z.infer<typeof BatchCancelResultSchema>;

/** The runs a batch request queued, in request order; `duplicates` were queued before (same clientRequestId). */
export const RunBatchResultSchema = z.object({
  runs: z.array(RunRecordSchema),
  duplicates: z.number().int().min(0),
});
export type RunBatchResult = z.infer<typeof RunBatchResultSchema>;

/** POST /api/runs/cancel-waiting: every queued run cancelled (running ones go on), from the back of the queue. */
export const WaitingCancelResultSchema = z.object({ cancelled: z.array(ApiIdSchema) });
export type WaitingCancelResult = z.infer<typeof WaitingCancelResultSchema>;

/**
 * POST /api/queue/pause and /api/queue/resume (InvokeAI's pause processor): paused, no waiting
 * run starts (the running one goes on, runs are still queued); kept across server restarts.
 */
export const QueueStateSchema = z.object({ paused: z.boolean() });
export type QueueState = z.infer<typeof QueueStateSchema>;
