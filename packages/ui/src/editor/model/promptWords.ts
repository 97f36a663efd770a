import { splitWords } from '@ptp/nodes';
import type { CatalogueIndex } from './catalogueIndex';
import type { EditorEdge, EditorNode } from './editorGraph';
import { paramValue } from './paramWidgets';

/** The prompt text a node holds, when it is a prompt source (a PROMPT output and a `text` param). */
function promptText(node: EditorNode, index: CatalogueIndex): string | undefined {
  const entry = index.byType.get(node.data.nodeType);
  if (!entry || !Object.values(entry.outputs).some((o) => o.type === 'PROMPT')) return undefined;
  const text = paramValue(entry, node.data.params, 'text');
  return typeof text === 'string' ? text : undefined;
}

function unique(words: readonly string[]): string[] {
  return [...new Set(words)];
}

/**
 * The words a word picker on `nodeId` offers. With `wordsFrom` (an input name) the words of the
 * prompt linked to that input; without it, the `target` prompt when the node takes one (schedules'
 * per-word tables refer to the edit prompt), else the words of every prompt upstream (the
 * attention viewer), in graph order.
 */
export function wordsForPicker(
  nodeId: string,
  wordsFrom: string | undefined,
  nodes: readonly EditorNode[],
  edges: readonly EditorEdge[],
  index: CatalogueIndex,
): string[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const node = byId.get(nodeId);
  if (!node) return [];
  const entry = index.byType.get(node.data.nodeType);
  const input = wordsFrom ?? (entry?.inputs.target?.type === 'PROMPT' ? 'target' : undefined);
  if (input !== undefined) {
    const edge = edges.find((e) => e.target === nodeId && e.targetHandle === input);
    const src = edge && byId.get(edge.source);
    const text = src && promptText(src, index);
    return text === undefined ? [] : unique(splitWords(text));
  }
  const incoming = new Map<string, string[]>();
  for (const e of edges) incoming.set(e.target, [...(incoming.get(e.target) ?? []), e.source]);
  const seen = new Set<string>();
  const todo = [nodeId];
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    todo.push(...(incoming.get(id) ?? []));
  }
  // Document order keeps the source prompt before the edits in the presets.
  const words = nodes
    .filter((n) => seen.has(n.id) && n.id !== nodeId)
    .flatMap((n) => {
      const text = promptText(n, index);
      return text === undefined ? [] : splitWords(text);
    });
  return unique(words);
}
