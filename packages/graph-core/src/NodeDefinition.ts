import type { z } from 'zod';
import type { ErrorCode } from './errors.js';
import type { SocketType } from './sockets.js';

/**
 * Value types per socket. Packages that define domain values augment this interface
 * (`declare module '@ptp/graph-core' { interface SocketValues { PROMPT: PromptValue } }`);
 * sockets nobody typed are `unknown`.
 */
export interface SocketValues {
  STRING: string;
  NUMBER: number;
  INT: number;
  BOOLEAN: boolean;
  ANY: unknown;
}
export type SocketValue<T extends SocketType> = T extends keyof SocketValues ? SocketValues[T] : unknown;

export interface InputSpec {
  readonly type: SocketType;
  /** An optional input may stay unconnected; the run sees `undefined`. */
  readonly optional?: boolean;
  /** A multi input takes any number of links; the run sees an array in edge order. */
  readonly multi?: boolean;
  readonly label?: string;
  readonly description?: string;
}

export interface OutputSpec {
  readonly type: SocketType;
  readonly label?: string;
  readonly description?: string;
}

export type InputValues<I extends Record<string, InputSpec>> = {
  [K in keyof I]: I[K]['multi'] extends true
    ? SocketValue<I[K]['type']>[]
    : I[K]['optional'] extends true
      ? SocketValue<I[K]['type']> | undefined
      : SocketValue<I[K]['type']>;
};
export type OutputValues<O extends Record<string, OutputSpec>> = { [K in keyof O]: SocketValue<O[K]['type']> };

export interface Logger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** A small image sent with progress events (e.g. a latent preview); encoded by the node. */
export interface ProgressPreview {
  mime: string;
  data: Uint8Array;
}

/**
 * Host services a runner lends to node runs (uploads, decoders, ...), augmented by the packages
 * that define them (`declare module '@ptp/graph-core' { interface RunResources { uploads?: UploadStore } }`),
 * like `SocketValues`. Every member is optional: a runner offers what it has and a node that needs a
 * missing one fails with a clear error. Kept here as an empty interface so graph-core stays free of
 * any host API.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RunResources {}

export interface NodeContext<Backend = unknown> {
  readonly nodeId: string;
  /** Aborted when the run is cancelled; long nodes check it between steps. */
  readonly signal: AbortSignal;
  /** Reports progress; the engine turns it into `progress` events. */
  progress(value: number, max: number, preview?: ProgressPreview): void;
  readonly log: Logger;
  /** The inference backend of the runner executing this graph (onnxruntime-node, -web, ...). */
  readonly backend: Backend;
  /** The document being run, for nodes that embed it in their outputs (saved PNGs). */
  readonly workflow: unknown;
  /** Host services of this run (see RunResources); `{}` when the runner gave none. */
  readonly resources: RunResources;
}

/**
 * A problem `check` finds before a node runs, tied to one of its params or inputs. The engine
 * and the editor add the node; `code` defaults to INVALID_PARAM with a param, else INVALID_INPUT.
 */
export interface CheckIssue {
  readonly message: string;
  readonly param?: string;
  readonly input?: string;
  readonly code?: ErrorCode;
}

/** Upgrades a node's params from version `from` to `from + 1`. */
export type ParamMigration = (params: Record<string, unknown>) => Record<string, unknown>;

export interface NodeDefinition<
  I extends Record<string, InputSpec> = Record<string, InputSpec>,
  O extends Record<string, OutputSpec> = Record<string, OutputSpec>,
  P extends z.ZodObject = z.ZodObject,
> {
  /** Stable identifier, e.g. `ptp.prompt`; never reused for a different meaning. */
  readonly type: string;
  /** Bumped when params or behaviour change; older saved params go through `migrations`. */
  readonly version: number;
  readonly title: string;
  readonly category: string;
  readonly description: string;
  readonly inputs: I;
  readonly outputs: O;
  /** Params by name, with defaults, bounds and UI hints (`.meta({ step, widget })`). */
  readonly params: P;
  /** Output nodes are what a run produces when no targets are named. */
  readonly output?: boolean;
  /** False for nodes whose result must never be reused (e.g. reads the clock). Default true. */
  readonly cacheable?: boolean;
  /**
   * A wire, not a step (ComfyUI's Reroute): it never runs, and each link from its output carries
   * whatever feeds its first input, of whatever type (so types are checked end to end). Taken out
   * of the graph with the bypassed nodes, before validation.
   */
  readonly passThrough?: boolean;
  /** `migrations[k]` upgrades params saved at version k to k + 1. */
  readonly migrations?: Readonly<Record<number, ParamMigration>>;
  /**
   * What this node refuses, declared once: the engine calls it with every input before `run`
   * (so `run` may assume it passed), validation and the editor with the inputs known without
   * running (values of `static` nodes upstream; the others are `undefined`).
   */
  check?(inputs: Partial<InputValues<I>>, params: z.output<P>): readonly CheckIssue[];
  /**
   * True when `run` is synchronous, cheap and depends on params and inputs alone (prompts,
   * schedules): validation evaluates such nodes so checks downstream see their values.
   */
  readonly static?: boolean;
  run(inputs: InputValues<I>, params: z.output<P>, ctx: NodeContext): Promise<OutputValues<O>> | OutputValues<O>;
  /** A small JSON summary of the outputs for `node_executed` events; the engine has a default. */
  summarize?(outputs: OutputValues<O>): unknown;
  /** Where a node type from outside the project came from; set by the node-package loader, absent for built-ins. */
  readonly origin?: NodeOrigin;
}

/** The node package (`name@version`) a node type was loaded from. */
export interface NodeOrigin {
  readonly package: string;
}

// The registry stores definitions with their precise generics erased.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyNodeDefinition = NodeDefinition<any, any, any>;

/** Identity helper that keeps literal socket types so `run` sees typed inputs. */
export function defineNode<
  const I extends Record<string, InputSpec>,
  const O extends Record<string, OutputSpec>,
  P extends z.ZodObject,
>(definition: NodeDefinition<I, O, P>): NodeDefinition<I, O, P> {
  return definition;
}
