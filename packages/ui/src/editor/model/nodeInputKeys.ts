import { flattenSubgraphs, hashString, stableStringify, type WorkflowDocument } from '@ptp/graph-core';
import { canvasNodeIds } from './canvasNodeIds';
import type { EditorGraph } from './editorGraph';

/**
 * Per canvas node, a key of what its result is computed from: its type and params and, through its
 * links, those of every node upstream (a block node's: all of its inner nodes'). An edit changes the
 * keys of the nodes it feeds and no others, so a result made before a partial run (Update maps) or
 * before an edit elsewhere is still known to be current. `onCanvas` maps a flattened node id to the
 * canvas node that shows it (see canvasNodeIds); ids it leaves off the canvas are not keyed.
 */
export function nodeInputKeys(
  doc: WorkflowDocument,
  canvas: ReadonlySet<string>,
  onCanvas: (id: string) => string,
): Map<string, string> {
  const { doc: flat } = flattenSubgraphs(doc);
  const nodes = new Map(flat.nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, (typeof flat.edges)[number][]>();
  for (const e of flat.edges) {
    const list = incoming.get(e.to.node) ?? [];
    list.push(e);
    incoming.set(e.to.node, list);
  }
  const keys = new Map<string, string>();
  const keyOf = (id: string, visiting: Set<string>): string => {
    const known = keys.get(id);
    if (known !== undefined) return known;
    const node = nodes.get(id);
    // A link from a missing node, or a cycle (validation reports both): keyed by name only.
    if (!node || visiting.has(id)) return `?${id}`;
    visiting.add(id);
    // By input name like the engine's signatures (a stable sort: a multi input keeps its links' order).
    const links = [...(incoming.get(id) ?? [])]
      .sort((a, b) => (a.to.input < b.to.input ? -1 : a.to.input > b.to.input ? 1 : 0))
      .map((e) => `${e.to.input}<${keyOf(e.from.node, visiting)}.${e.from.output}`);
    visiting.delete(id);
    const key = hashString(`${node.type}@${node.typeVersion}|${stableStringify(node.params ?? {})}|${links.join('|')}`);
    keys.set(id, key);
    return key;
  };
  const parts = new Map<string, string[]>();
  for (const id of nodes.keys()) {
    const at = onCanvas(id);
    if (!canvas.has(at)) continue;
    const list = parts.get(at) ?? [];
    list.push(`${id}=${keyOf(id, new Set())}`);
    parts.set(at, list);
  }
  return new Map(
    [...parts].map(([id, list]) => [id, list.length === 1 ? list[0]! : hashString(list.sort().join('|'))]),
  );
}

/**
 * nodeInputKeys of the canvas's nodes, as a run of the whole document would record them. Kept while
 * the nodes' data, the links and the block definitions are the same objects, so dragging nodes does
 * not recompute them.
 */
export class CanvasInputKeys {
  #memo?: { datas: readonly unknown[]; graph: EditorGraph; keys: ReadonlyMap<string, string> };

  /** `document`: the whole workflow (read only when the keys must be recomputed); `prefix`: see canvasNodeIds. */
  of(graph: EditorGraph, document: () => WorkflowDocument, prefix: string): ReadonlyMap<string, string> {
    const memo = this.#memo;
    if (memo?.graph === graph) return memo.keys;
    const datas = graph.nodes.map((n) => n.data);
    const same =
      memo !== undefined &&
      memo.graph.edges === graph.edges &&
      memo.graph.subgraphs === graph.subgraphs &&
      memo.datas.length === datas.length &&
      datas.every((d, i) => d === memo.datas[i]);
    const canvas = new Set(graph.nodes.map((n) => n.id));
    const keys = same ? memo.keys : nodeInputKeys(document(), canvas, canvasNodeIds(canvas, prefix));
    this.#memo = { datas, graph, keys };
    return keys;
  }
}
