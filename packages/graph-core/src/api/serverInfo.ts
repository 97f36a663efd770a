import { z } from 'zod';

/** GET /api/health */
export const HealthResponseSchema = z.object({
  ok: z.literal(true),
  version: z.string(),
  nodeTypes: z.number().int(),
  queue: z.object({ queued: z.number().int(), running: z.number().int() }),
  worker: z.object({ alive: z.boolean(), restarts: z.number().int() }),
  /** Whether requests need a token (always when bound beyond loopback). */
  auth: z.boolean(),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** GET /api/models: the packs the server sees in its configured folders; graphs name them by id. */
export const ModelsResponseSchema = z.object({
  packs: z.array(z.object({ id: z.string(), name: z.string(), defaultImageSize: z.number() })),
});
export type ModelsResponse = z.infer<typeof ModelsResponseSchema>;
