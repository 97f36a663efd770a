import { stableStringify, type WorkflowDocument } from '@ptp/graph-core';

/**
 * What a run computes from, as one string: node types and params, links, block definitions. Moving
 * a node or renaming the workflow leaves it as it was; an edit that changes a result does not.
 */
export function runInputsKey(doc: WorkflowDocument): string {
  return stableStringify({
    nodes: doc.nodes.map((n) => ({ id: n.id, type: n.type, params: n.params })),
    edges: doc.edges.map((e) => ({ from: e.from, to: e.to })),
    subgraphs: doc.subgraphs ?? [],
  });
}
