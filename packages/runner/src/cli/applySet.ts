import type { NodeRegistry, WorkflowDocument } from '@ptp/graph-core';
import { paramProblem, parseSetArg, setParam } from '../workflowParams.js';
import { UsageError } from './cliSupport.js';

/**
 * `--set node.param=value` on a loaded document. A malformed assignment, an unknown node or param,
 * or a value the param's schema refuses is a usage error, before anything runs or is written.
 */
export function applySet(doc: WorkflowDocument, registry: NodeRegistry, assignment: string): void {
  const parsed = parseSetArg(assignment);
  if (!parsed.ok) throw new UsageError(parsed.message);
  const problem = paramProblem(doc, registry, parsed.nodeId, parsed.param, parsed.value);
  if (problem) throw new UsageError(`--set ${assignment}: ${problem}`);
  setParam(doc, parsed.nodeId, parsed.param, parsed.value);
}
