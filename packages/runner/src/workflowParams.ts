import type { WorkflowDocument } from '@ptp/graph-core';

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
