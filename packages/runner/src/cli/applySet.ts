import type { WorkflowDocument } from '@ptp/graph-core';
import { parseSetArg, setParam } from '../workflowParams.js';
import { UsageError } from './cliSupport.js';

/** `--set node.param=value` on a loaded document; a malformed assignment or unknown node is a usage error. */
export function applySet(doc: WorkflowDocument, assignment: string): void {
  const parsed = parseSetArg(assignment);
  if (!parsed.ok) throw new UsageError(parsed.message);
  if (!setParam(doc, parsed.nodeId, parsed.param, parsed.value))
    throw new UsageError(`--set: no node "${parsed.nodeId}" in the workflow`);
}
