import { subgraphIdOf, type WorkflowDocument, type WorkflowEdge } from '../document/WorkflowDocument.js';
import { graphError, type Result } from '../errors.js';

/**
 * Replaces one block node by the nodes of its definition (one level: blocks inside stay blocks),
 * with the block node's exposed param values written into the inner params they stand for and the
 * links of its sockets re-attached to the inner sockets. Inner ids are kept unless taken. The
 * definition stays in `doc.subgraphs` for other uses of the block.
 */
export function unfoldNode(
  doc: WorkflowDocument,
  nodeId: string,
): Result<{ doc: WorkflowDocument; nodeIds: string[] }> {
  const block = doc.nodes.find((n) => n.id === nodeId);
  const blockId = block && subgraphIdOf(block.type);
  const def = blockId === undefined ? undefined : doc.subgraphs?.find((s) => s.id === blockId);
  if (!block || !def)
    return {
      ok: false,
      errors: [
        graphError(
          block ? 'UNKNOWN_SUBGRAPH' : 'INVALID_SUBGRAPH',
          block ? `block "${blockId ?? block.type}" is not defined in this document` : `no block node "${nodeId}"`,
          { nodeId },
        ),
      ],
    };
  const taken = new Set(doc.nodes.filter((n) => n.id !== nodeId).map((n) => n.id));
  const rename = new Map<string, string>();
  for (const n of def.nodes) {
    let id = n.id;
    for (let i = 2; taken.has(id); i++) id = `${n.id}_${i}`;
    taken.add(id);
    rename.set(n.id, id);
  }
  const origin = {
    x: Math.min(...def.nodes.map((n) => n.ui?.position.x ?? 0)),
    y: Math.min(...def.nodes.map((n) => n.ui?.position.y ?? 0)),
  };
  const at = block.ui?.position ?? { x: 0, y: 0 };
  const inner = def.nodes.map((n) => {
    const params = { ...structuredClone(n.params) };
    for (const p of def.params)
      if (p.node === n.id && Object.hasOwn(block.params, p.name))
        params[p.param] = structuredClone(block.params[p.name]);
    const pos = n.ui?.position ?? origin;
    return {
      ...structuredClone(n),
      id: rename.get(n.id)!,
      params,
      ui: { ...n.ui, position: { x: at.x + pos.x - origin.x, y: at.y + pos.y - origin.y } },
    };
  });
  const edges: WorkflowEdge[] = [];
  for (const e of doc.edges) {
    if (e.to.node === nodeId && e.from.node === nodeId) continue;
    if (e.to.node === nodeId) {
      const exposed = def.inputs.find((i) => i.name === e.to.input);
      for (const t of exposed?.targets ?? [])
        edges.push({ from: { ...e.from }, to: { node: rename.get(t.node) ?? t.node, input: t.input } });
    } else if (e.from.node === nodeId) {
      const exposed = def.outputs.find((o) => o.name === e.from.output);
      if (exposed)
        edges.push({
          from: { node: rename.get(exposed.from.node) ?? exposed.from.node, output: exposed.from.output },
          to: { ...e.to },
        });
    } else edges.push(e);
  }
  for (const e of def.edges)
    edges.push({
      from: { node: rename.get(e.from.node) ?? e.from.node, output: e.from.output },
      to: { node: rename.get(e.to.node) ?? e.to.node, input: e.to.input },
    });
  const nodes = doc.nodes.flatMap((n) => (n.id === nodeId ? inner : [n]));
  return { ok: true, value: { doc: { ...doc, nodes, edges }, nodeIds: inner.map((n) => n.id) }, warnings: [] };
}
