import type { WorkflowDocument } from '@ptp/graph-core';

const UPLOAD_ID = /^[0-9a-f]{64}$/;

/**
 * Upload ids a workflow names (any node param holding a sha256 id): what a remote worker must
 * be able to read. Graphs name uploads by id only, never by path, so this is all of them.
 */
export function uploadsOf(workflow: WorkflowDocument): string[] {
  const ids = new Set<string>();
  for (const node of workflow.nodes) {
    for (const value of Object.values(node.params ?? {})) {
      if (typeof value === 'string' && UPLOAD_ID.test(value)) ids.add(value);
    }
  }
  return [...ids];
}
