/**
 * Limits the server enforces on what clients send (docs/architecture.md section 6). Shared so the editor can
 * refuse early with the same numbers; the server may be configured lower, never higher than
 * these defaults without an explicit flag.
 */
export const API_LIMITS = {
  /** JSON request bodies (workflow documents, run requests). */
  maxJsonBodyBytes: 4 * 1024 * 1024,
  /** One socket.io message (its JSON and binary parts together). */
  maxSocketMessageBytes: 4 * 1024 * 1024,
  /** One uploaded image. */
  maxUploadBytes: 16 * 1024 * 1024,
  /** Pixels of an uploaded image (width x height), against decompression bombs. */
  maxUploadPixels: 4096 * 4096,
  /** Graph parameters a server run may ask for. */
  maxSteps: 200,
  maxImageSize: 1024,
  maxBatch: 8,
  /** Runs waiting in the queue at once. */
  maxQueuedRuns: 1000,
  /** Output node ids one run may target. */
  maxTargets: 64,
  /** Nesting of any JSON a client sends (documents, run requests, socket payloads). */
  maxJsonDepth: 64,
  /** One node's params, as JSON. */
  maxParamsBytes: 256 * 1024,
  /** Wall time of one run on the server before it is stopped (30 minutes). */
  maxRunSeconds: 1800,
  /** The estimated peak memory of one run (attention maps, latents) the server accepts. */
  maxRunMemoryBytes: 8 * 1024 ** 3,
} as const;
export type ApiLimits = { -readonly [K in keyof typeof API_LIMITS]: number };
