import { z } from 'zod';

/** The executor behind the queue, as /api/health reports it. */
export const WorkerHealthSchema = z.object({
  alive: z.boolean(),
  restarts: z.number().int(),
  /** False when a run would not be taken now (closed, failing to start, stuck past its budget). */
  acceptingRuns: z.boolean().optional(),
  problem: z.string().optional(),
});
export type WorkerHealth = z.infer<typeof WorkerHealthSchema>;

/** GET /api/health; `ok` is false (status 503) when the server cannot take runs. */
export const HealthResponseSchema = z.object({
  ok: z.boolean(),
  version: z.string(),
  nodeTypes: z.number().int(),
  queue: z.object({
    queued: z.number().int(),
    running: z.number().int(),
    /** No waiting run starts until the queue is resumed (POST /api/queue/resume). */
    paused: z.boolean().optional(),
  }),
  worker: WorkerHealthSchema,
  /** Whether requests need a token (always when bound beyond loopback). */
  auth: z.boolean(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** One pack a runner can load, as the server, its workers and the browser runtime list it. */
export const PackSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  defaultImageSize: z.number(),
  /** A caption the pack draws well (its manifest's `samplePrompt`): the editor's default prompt. */
  samplePrompt: z.string().max(500).optional(),
});
export type PackSummary = z.infer<typeof PackSummarySchema>;

/** GET /api/models: the packs the server sees in its configured folders; graphs name them by id. */
export const ModelsResponseSchema = z.object({ packs: z.array(PackSummarySchema) });
export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
