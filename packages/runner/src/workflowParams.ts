import { describeZodIssue, type NodeRegistry, type WorkflowDocument } from '@ptp/graph-core';
import { closestWord } from './cli/closestWord.js';

/** `node.param=value` (value as JSON when it parses, else a string), as `--set` and sweeps write it. */
export function parseSetArg(
  assignment: string,
): { ok: true; nodeId: string; param: string; value: unknown } | { ok: false; message: string } {
  const m = /^([^.=]+)\.([^=]+)=(.*)$/s.exec(assignment);
  if (!m) return { ok: false, message: `--set takes node.param=value, got "${assignment}"` };
  const [, nodeId, param, raw] = m as unknown as [string, string, string, string];
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare string
  }
  return { ok: true, nodeId, param, value };
}

/**
 * Changes one param of a document before running it (the change is validated like any edit), so
 * one saved workflow serves many runs. False when the document has no such node.
 */
export function setParam(doc: WorkflowDocument, nodeId: string, param: string, value: unknown): boolean {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) return false;
  node.params = { ...node.params, [param]: value };
  return true;
}

/**
 * Why `node.param` (= value) cannot be set: no such node, a param its type does not have (naming
 * the ones it has), or a value its schema refuses. Undefined when it can; a node of a type this
 * build does not know (or a block) is left to validation, which says so.
 */
export function paramProblem(
  doc: WorkflowDocument,
  registry: NodeRegistry,
  nodeId: string,
  param: string,
  value?: unknown,
): string | undefined {
  const node = doc.nodes.find((n) => n.id === nodeId);
  if (!node) {
    const near = closestWord(
      nodeId,
      doc.nodes.map((n) => n.id),
    );
    return `no node "${nodeId}" in the workflow${near ? `; did you mean "${near}"?` : ''}`;
  }
  const def = registry.get(node.type);
  if (!def) return undefined;
  const shape = def.params.shape as Record<
    string,
    { safeParse(v: unknown): { success: boolean; error?: { issues: unknown[] } } }
  >;
  const field = Object.hasOwn(shape, param) ? shape[param] : undefined;
  if (!field) {
    const names = Object.keys(shape);
    return `node "${nodeId}" (${node.type}) has no param "${param}"; its params: ${names.join(', ') || 'none'}`;
  }
  if (value === undefined) return undefined;
  const parsed = field.safeParse(value);
  if (parsed.success) return undefined;
  const issue = parsed.error!.issues[0] as Parameters<typeof describeZodIssue>[0];
  // Values are read as JSON when they parse: say so when the kind is wrong (a list, text like 42).
  // 1e400 reads as Infinity, which JSON would show as null.
  const nonFinite = typeof value === 'number' && !Number.isFinite(value);
  const asJson =
    (issue as { code?: string }).code === 'invalid_type' && !nonFinite
      ? ` (the value is read as JSON when it parses: a list is '["a","b"]', text that reads as a number is '"42"')`
      : '';
  return `${nodeId}.${param} = ${nonFinite ? String(value) : JSON.stringify(value)}: ${describeZodIssue(issue)}${asJson}`;
}
