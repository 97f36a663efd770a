import { z } from 'zod';
import { describeZodIssue } from './describeZodIssue.js';

/** Every problem the core reports has one of these codes; clients switch on them, never on text. */
export const ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_DOCUMENT',
  'UNSUPPORTED_SCHEMA_VERSION',
  'MIGRATION_FAILED',
  'UNKNOWN_NODE_TYPE',
  'NODE_VERSION_TOO_NEW',
  'DUPLICATE_NODE_ID',
  'DUPLICATE_EDGE_ID',
  'DANGLING_EDGE',
  'UNKNOWN_INPUT',
  'UNKNOWN_OUTPUT',
  'MISSING_INPUT',
  // A required input whose links all come from bypassed nodes with nothing of its type to pass on.
  'BYPASSED_INPUT',
  // A warning: the node does not run, as a required input of it comes from a muted node.
  'MUTED_INPUT',
  'MULTIPLE_LINKS',
  'TYPE_MISMATCH',
  'INVALID_PARAM',
  'INVALID_INPUT',
  'UNKNOWN_PARAM',
  'CYCLE',
  'NO_OUTPUT',
  'UNKNOWN_OUTPUT_NODE',
  'NODE_FAILED',
  'INTERRUPTED',
  // Real images (Load image, VAE encode): which upload, and what is wrong with its bytes.
  'RESOURCE_MISSING',
  'UPLOAD_NOT_FOUND',
  'UNSUPPORTED_IMAGE_TYPE',
  'IMAGE_TRUNCATED',
  'IMAGE_CORRUPT',
  'IMAGE_TOO_SMALL',
  'IMAGE_TOO_LARGE',
  'DECOMPRESSION_LIMIT',
  // Per-run budgets of the runner (server): estimated memory, wall time.
  'MEMORY_LIMIT',
  'RUN_TIMEOUT',
  // A param over the limits of the runner that would run it (the server's steps, size, batch).
  'LIMIT_EXCEEDED',
  // Blocks (subgraphs): a block node whose definition is missing, or a definition that cannot be flattened.
  'UNKNOWN_SUBGRAPH',
  'INVALID_SUBGRAPH',
  // A reference by id to a node the graph does not have (a batch row's `node.param`).
  'UNKNOWN_NODE',
  // A pack param (Load model's) naming a model pack the runner does not have.
  'UNKNOWN_PACK',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const GraphErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  severity: z.enum(['error', 'warning']).default('error'),
  nodeId: z.string().optional(),
  nodeType: z.string().optional(),
  input: z.string().optional(),
  output: z.string().optional(),
  param: z.string().optional(),
  edgeId: z.string().optional(),
  /** JSON path into the document, for schema-level problems. */
  path: z.array(z.union([z.string(), z.number()])).optional(),
});
export type GraphError = z.infer<typeof GraphErrorSchema>;

export type Result<T> = { ok: true; value: T; warnings: GraphError[] } | { ok: false; errors: GraphError[] };

export function graphError(
  code: ErrorCode,
  message: string,
  context: Omit<GraphError, 'code' | 'message' | 'severity'> = {},
): GraphError {
  return { code, message, severity: 'error', ...context };
}

export function graphWarning(
  code: ErrorCode,
  message: string,
  context: Omit<GraphError, 'code' | 'message' | 'severity'> = {},
): GraphError {
  return { code, message, severity: 'warning', ...context };
}

export const isError = (e: GraphError): boolean => e.severity !== 'warning';

/** Turns zod issues into structured errors rooted at `basePath`. */
export function fromZodIssues(
  code: ErrorCode,
  issues: readonly z.core.$ZodIssue[],
  context: Omit<GraphError, 'code' | 'message' | 'severity' | 'path'> = {},
  basePath: (string | number)[] = [],
): GraphError[] {
  return issues.map((issue) => {
    const path = [...basePath, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const where = path.length ? `${path.join('.')}: ` : '';
    return graphError(code, `${where}${describeZodIssue(issue)}`, { ...context, path });
  });
}

/** Thrown by node runs to report a problem tied to one of their inputs or params. */
export class NodeRunError extends Error {
  readonly code: ErrorCode;
  readonly input?: string;
  readonly param?: string;
  constructor(message: string, options: { code?: ErrorCode; input?: string; param?: string } = {}) {
    super(message);
    this.name = 'NodeRunError';
    this.code = options.code ?? 'NODE_FAILED';
    if (options.input !== undefined) this.input = options.input;
    if (options.param !== undefined) this.param = options.param;
  }
}

type ErrorPlaceFields = Partial<Pick<GraphError, 'nodeId' | 'nodeType' | 'input' | 'param' | 'edgeId'>>;

/**
 * Where a problem is, for terminals and logs: ` [node n (type), input i, param p, edge e]`, or ''
 * when it has no place. One format for every command and report.
 */
export function errorPlace(e: ErrorPlaceFields, options: { nodeType?: boolean } = {}): string {
  const node = e.nodeId ? `node ${e.nodeId}${options.nodeType && e.nodeType ? ` (${e.nodeType})` : ''}` : undefined;
  const parts = [
    node,
    e.input && `input ${e.input}`,
    e.param && `param ${e.param}`,
    e.edgeId && `edge ${e.edgeId}`,
  ].filter(Boolean);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** The node, input and param of an error, each only when present (API errors and run failures carry them). */
export function errorContext(e: ErrorPlaceFields | undefined): { nodeId?: string; input?: string; param?: string } {
  return {
    ...(e?.nodeId ? { nodeId: e.nodeId } : {}),
    ...(e?.input ? { input: e.input } : {}),
    ...(e?.param ? { param: e.param } : {}),
  };
}
