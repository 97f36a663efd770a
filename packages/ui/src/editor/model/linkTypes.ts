import type { CatalogueIndex } from './catalogueIndex';
import type { EditorEdge, EditorNode } from './editorGraph';

/**
 * The type a link from this output carries: the socket's own, or for a reroute (a pass-through
 * node) the type of what feeds it, through chains of them. Undefined for an unknown node or
 * socket; `ANY` for a reroute with nothing linked into it yet (it takes what it is given).
 */
export function outputTypeOf(
  node: string,
  handle: string,
  nodeOf: (id: string) => EditorNode | undefined,
  edges: readonly EditorEdge[],
  index: CatalogueIndex,
): string | undefined {
  const seen = new Set<string>();
  for (let at = { node, handle }; ;) {
    const entry = index.byType.get(nodeOf(at.node)?.data.nodeType ?? '');
    const type = entry?.outputs[at.handle]?.type;
    if (!entry?.passThrough || seen.has(at.node)) return type;
    seen.add(at.node);
    const into = edges.find((e) => e.target === at.node);
    if (!into) return type;
    at = { node: into.source, handle: into.sourceHandle };
  }
}
