import { GraphErrorSchema, NodePackageProblemSchema, PackSummarySchema, RunEventSchema } from '@ptp/graph-core';
import { z } from 'zod';
import { WEB_PROVIDERS } from './backend/webgpu';

/**
 * Messages between the editor's main thread and the engine worker (engineWorker.ts). Both sides
 * parse what they receive, so a mismatched build or a bad message fails loudly with a code instead
 * of hanging a run. Binary data (PNG files) travels as transferred ArrayBuffers.
 */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected a Uint8Array');
const RequestId = z.string().min(1).max(64);

export const WorkerProviderSchema = z.enum([...WEB_PROVIDERS, 'auto']);
export type WorkerProvider = z.infer<typeof WorkerProviderSchema>;

export const UploadPayloadSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string(),
  mediaType: z.string(),
  bytes,
});
export type UploadPayload = z.infer<typeof UploadPayloadSchema>;

export const NodePackageModuleSchema = z.object({ name: z.string(), version: z.string(), url: z.url() });
export type NodePackageModule = z.infer<typeof NodePackageModuleSchema>;

export const InitMessageSchema = z.object({
  type: z.literal('init'),
  /** The editor's URL: packs are fetched from `<baseUrl>/packs/`, uploads from `<baseUrl>/api/uploads/`. */
  baseUrl: z.url(),
  provider: WorkerProviderSchema.default('auto'),
  /** Bearer token for the studio server's upload downloads, when it has one. */
  token: z.string().optional(),
  /** WebGPU: keep outputs on the GPU and download them concurrently (see OrtWebBackend). */
  gpuOutputs: z.boolean().default(true),
  /** Each session call starts in a new task, so a cancel is read mid-run (see OrtWebBackend). */
  yieldToMessages: z.boolean().default(true),
  /** Node packages of the studio server (its catalogue's `nodePackages`): the worker imports each module URL. */
  nodePackages: z.array(NodePackageModuleSchema).default([]),
});
export const RunMessageSchema = z.object({
  type: z.literal('run'),
  requestId: RequestId,
  /** A workflow document as JSON data (any schema version). */
  document: z.unknown(),
  targets: z.array(z.string()).optional(),
});
export const CancelMessageSchema = z.object({ type: z.literal('cancel'), requestId: RequestId });
export const AddUploadsMessageSchema = z.object({ type: z.literal('uploads'), uploads: z.array(UploadPayloadSchema) });
export const InfoRequestSchema = z.object({ type: z.literal('info'), requestId: RequestId });
export const ToWorkerSchema = z.discriminatedUnion('type', [
  InitMessageSchema,
  RunMessageSchema,
  CancelMessageSchema,
  AddUploadsMessageSchema,
  InfoRequestSchema,
]);
export type ToWorker = z.input<typeof ToWorkerSchema>;

export const RunFileSchema = z.object({
  nodeId: z.string(),
  name: z.string(),
  mime: z.string(),
  data: bytes,
  temporary: z.boolean().optional(),
});
export const RunnerErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
  input: z.string().optional(),
  param: z.string().optional(),
});
export const RunnerResultSchema = z.object({
  runId: z.string(),
  status: z.enum(['success', 'error', 'interrupted']),
  files: z.array(RunFileSchema),
  executed: z.array(z.string()),
  cached: z.array(z.string()),
  errors: z.array(z.union([GraphErrorSchema, RunnerErrorSchema])),
  outputs: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

export const BackendInfoSchema = z.object({
  backend: z.string(),
  provider: z.enum(WEB_PROVIDERS),
  /** The WebGPU adapter (e.g. SwiftShader), when on WebGPU. */
  adapter: z.string().optional(),
  /** Why `auto` fell back to wasm. */
  fallbackReason: z.string().optional(),
  /** WebGPU: the adapter has `shader-f16` (float16 packs need it). */
  shaderF16: z.boolean().optional(),
  packs: z.array(PackSummarySchema),
  /** Node packages (or types) this worker could not load: the graphs using them fail, nothing else does. */
  nodePackageProblems: z.array(NodePackageProblemSchema).optional(),
});
export type BackendInfo = z.infer<typeof BackendInfoSchema>;

/** Worker-level failures (not graph errors): bad messages, backend start-up, a crash. */
export const WORKER_ERROR_CODES = [
  'BAD_MESSAGE',
  'NOT_INITIALIZED',
  'BACKEND_FAILED',
  'WORKER_CRASHED',
  'RUNNER_DISPOSED',
] as const;
export const WorkerErrorSchema = z.object({ code: z.enum(WORKER_ERROR_CODES), message: z.string() });
export type WorkerError = z.infer<typeof WorkerErrorSchema>;

export const FromWorkerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), requestId: RequestId, event: RunEventSchema }),
  z.object({ type: z.literal('result'), requestId: RequestId, result: RunnerResultSchema }),
  z.object({ type: z.literal('info'), requestId: RequestId, info: BackendInfoSchema }),
  /** A request failed outside the graph (requestId absent: the worker itself). */
  z.object({ type: z.literal('failed'), requestId: RequestId.optional(), error: WorkerErrorSchema }),
]);
export type FromWorker = z.infer<typeof FromWorkerSchema>;

/** Worker-level failure on the main thread, with its code. */
export class WorkerRunnerError extends Error {
  constructor(
    readonly code: WorkerError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'WorkerRunnerError';
  }
}
