import {
  foldNodes,
  planFold,
  subgraphIdOf,
  subgraphType,
  unfoldNode,
  type FoldChoice,
  type Subgraph,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { shapeLookup } from './blocks';
import { exposuresOf, keepExposed, retargetFolded, retargetUnfolded, type BlockScope } from './blockScope';
import type { CatalogueIndex } from './catalogueIndex';
import type { EditorGraph } from './editorGraph';
import type { EditorState } from './editorState';

/**
 * Fold and unfold on the canvas's document. Inside an open block (`open`: its definition as the
 * canvas holds it) the open block's exposures follow the nodes into, or out of, the nested block.
 */

type Outcome<T> = ({ ok: true } & T) | { ok: false; message: string };

const withDefinition = (doc: WorkflowDocument, def: Subgraph): WorkflowDocument => ({
  ...doc,
  subgraphs: (doc.subgraphs ?? []).map((s) => (s.id === def.id ? def : s)),
});

/** `ids` folded into a new block exposing what `choice` picks (see planFold); the block node's id. */
export function foldOnCanvas(
  doc: WorkflowDocument,
  ids: readonly string[],
  choice: FoldChoice,
  index: CatalogueIndex,
  open: Subgraph | undefined,
): Outcome<{ doc: WorkflowDocument; nodeId: string }> {
  const shapes = shapeLookup(index);
  // Inside a block, what it exposes of the folded nodes is exposed through the new block too.
  const chosen = open ? keepExposed(planFold(doc, [...ids], shapes), open, [...ids], choice) : choice;
  const folded = foldNodes(doc, [...ids], chosen, shapes);
  if (!folded.ok) return { ok: false, message: folded.errors[0]!.message };
  const { nodeId, subgraphId } = folded.value;
  let next = folded.value.doc;
  const nested = next.subgraphs?.find((s) => s.id === subgraphId);
  if (open && nested) next = withDefinition(next, retargetFolded(open, [...ids], nodeId, nested));
  return { ok: true, doc: next, nodeId };
}

/** Block node `nodeId` replaced by its inner nodes; their new ids. */
export function unfoldOnCanvas(
  doc: WorkflowDocument,
  nodeId: string,
  open: Subgraph | undefined,
): Outcome<{ doc: WorkflowDocument; nodeIds: string[] }> {
  const unfolded = unfoldNode(doc, nodeId);
  if (!unfolded.ok) return { ok: false, message: unfolded.errors[0]!.message };
  let next = unfolded.value.doc;
  const type = doc.nodes.find((n) => n.id === nodeId)?.type ?? '';
  const nested = doc.subgraphs?.find((s) => s.id === subgraphIdOf(type));
  if (open && nested) next = withDefinition(next, retargetUnfolded(open, nodeId, nested, unfolded.value.nodeIds));
  return { ok: true, doc: next, nodeIds: unfolded.value.nodeIds };
}

/** Nodes of `graph` and of its block definitions that use block `id`. */
export function usesOf(graph: EditorGraph, id: string): number {
  const type = subgraphType(id);
  return (
    graph.nodes.filter((n) => n.data.nodeType === type).length +
    (graph.subgraphs ?? []).reduce((sum, s) => sum + s.nodes.filter((n) => n.type === type).length, 0)
  );
}

/**
 * What the editor state says of the open blocks (path, exposures, uses), or undefined at the top
 * level. Kept while the path and the definitions are the same, so subscribers see no change.
 */
export class OpenBlockView {
  #memo?: { key: string; subgraphs: Subgraph[] | undefined; scope: NonNullable<EditorState['scope']> };

  /** `scopes`: outermost first; `graph`: the innermost one's inside; `root`: the whole workflow. */
  of(
    scopes: readonly BlockScope[],
    graph: EditorGraph,
    root: () => EditorGraph,
  ): NonNullable<EditorState['scope']> | undefined {
    if (!scopes.length) return undefined;
    const path = scopes.map(({ nodeId, name, subgraphId }) => ({ nodeId, name, subgraphId }));
    const key = path.map((p) => p.nodeId).join('/');
    const memo = this.#memo;
    if (memo && memo.key === key && memo.subgraphs === graph.subgraphs) return memo.scope;
    const def = graph.subgraphs?.find((s) => s.id === path.at(-1)!.subgraphId);
    const scope = {
      path,
      exposures: exposuresOf(def),
      uses: usesOf(root(), def?.id ?? ''),
      topNodes: scopes[0]!.outer.nodes,
    };
    this.#memo = { key, subgraphs: graph.subgraphs, scope };
    return scope;
  }
}
