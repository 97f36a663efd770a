import { validateGraph, type NodeRegistry, type ValidationReport } from '@ptp/graph-core';
import { exposuresOf, problemsInScope, rootGraph, scopePrefix, type BlockScope } from './blockScope';
import type { CatalogueIndex } from './catalogueIndex';
import { graphToDocument, type EditorGraph } from './editorGraph';
import { buildErrorMap, EMPTY_ERROR_MAP, type ErrorMap } from './errorMap';

/** What the editor validates against: the catalogue (with the server's limits) and the packs, once known. */
export interface ValidationContext {
  registry: NodeRegistry;
  index: CatalogueIndex;
  packs?: readonly string[] | undefined;
}

/**
 * validateGraph on the whole workflow (`scopes`: the open blocks, outermost first; `graph` is the
 * innermost one's inside). `lift: false` keeps problems on a block's inner nodes.
 */
export function workflowReport(
  graph: EditorGraph,
  scopes: readonly BlockScope[],
  context: ValidationContext,
  lift = true,
): ValidationReport {
  // The server's limits come with its catalogue: fields, validation and the server agree.
  const limits = context.index.catalogue.limits;
  return validateGraph(graphToDocument(rootGraph(scopes, graph), { includeViewport: false }), context.registry, {
    ...(limits ? { limits } : {}),
    ...(context.packs ? { packs: context.packs } : {}),
    ...(lift ? {} : { lift: false }),
  });
}

/** The problems the canvas shows, by node / input / param: inside a block, on its inner nodes. */
export function canvasProblems(
  graph: EditorGraph,
  scopes: readonly BlockScope[],
  context: ValidationContext,
): ErrorMap {
  if (!graph.nodes.length && !scopes.length) return EMPTY_ERROR_MAP;
  const open = scopes.at(-1);
  // Inside a block, problems are wanted on its inner nodes, not lifted onto the block node.
  const report = workflowReport(graph, scopes, context, !open);
  const problems = [...report.errors, ...report.warnings];
  if (!open) return buildErrorMap(problems);
  const def = graph.subgraphs?.find((s) => s.id === open.subgraphId);
  return buildErrorMap(problemsInScope(problems, scopePrefix(scopes), exposuresOf(def), open.name));
}
