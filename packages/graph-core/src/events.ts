import { z } from 'zod';
import { GraphErrorSchema } from './errors.js';

/**
 * The run events every runner emits (in-process, Web Worker, socket.io): one schema, so the
 * editor and the CLI read them the same way wherever the graph ran. `seq` increases by one per
 * event of a run, which lets a reconnecting client ask for what it missed.
 */
const base = { runId: z.string().min(1), seq: z.number().int().nonnegative(), time: z.number() };

export const RunStartedEventSchema = z.object({
  type: z.literal('run_started'),
  ...base,
  /** Nodes that will execute, in order. */
  nodes: z.array(z.string()),
  /** Nodes whose outputs come from the cache. */
  cached: z.array(z.string()),
  targets: z.array(z.string()),
});
export const NodeCachedEventSchema = z.object({
  type: z.literal('node_cached'),
  ...base,
  nodeIds: z.array(z.string()),
  /** What the cached output nodes hold (as node_executed's summary), so a Show value shows it again. */
  summaries: z.record(z.string(), z.unknown()).optional(),
});
export const NodeExecutingEventSchema = z.object({ type: z.literal('node_executing'), ...base, nodeId: z.string() });
export const ProgressEventSchema = z.object({
  type: z.literal('progress'),
  ...base,
  nodeId: z.string(),
  value: z.number(),
  max: z.number(),
  preview: z.object({ mime: z.string(), data: z.custom<Uint8Array>((v) => v instanceof Uint8Array) }).optional(),
});
export const NodeExecutedEventSchema = z.object({
  type: z.literal('node_executed'),
  ...base,
  nodeId: z.string(),
  durationMs: z.number(),
  summary: z.unknown(),
});
export const ErrorEventSchema = z.object({
  type: z.literal('error'),
  ...base,
  nodeId: z.string().optional(),
  input: z.string().optional(),
  param: z.string().optional(),
  code: z.string(),
  message: z.string(),
  /** Every problem when the run was refused by validation. */
  errors: z.array(GraphErrorSchema).optional(),
});
export const SuccessEventSchema = z.object({
  type: z.literal('success'),
  ...base,
  executed: z.array(z.string()),
  cached: z.array(z.string()),
  durationMs: z.number(),
});
export const InterruptedEventSchema = z.object({
  type: z.literal('interrupted'),
  ...base,
  nodeId: z.string().optional(),
});

export const RunEventSchema = z.discriminatedUnion('type', [
  RunStartedEventSchema,
  NodeCachedEventSchema,
  NodeExecutingEventSchema,
  ProgressEventSchema,
  NodeExecutedEventSchema,
  ErrorEventSchema,
  SuccessEventSchema,
  InterruptedEventSchema,
]);
export type RunEvent = z.infer<typeof RunEventSchema>;
export type RunEventType = RunEvent['type'];
export const TERMINAL_EVENT_TYPES: readonly RunEventType[] = ['success', 'error', 'interrupted'];

/** An event as a runner builds it, before the emitter stamps `runId`, `seq` and `time`. */
export type RunEventBody = RunEvent extends infer E
  ? E extends RunEvent
    ? Omit<E, 'runId' | 'seq' | 'time'>
    : never
  : never;
