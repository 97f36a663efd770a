import type { CatalogueEntry } from '@ptp/graph-core';
import { searchCatalogue, type CatalogueIndex } from './catalogueIndex';
import type { EditorNode } from './editorGraph';

/** A link dragged from a socket and let go on the empty canvas: the node added there takes it. */
export interface DanglingLink {
  node: string;
  /** The socket it was dragged from. */
  handle: string;
  /** 'source': dragged from an output (the new node takes it on an input); 'target': from an input. */
  side: 'source' | 'target';
  /** That socket's type. */
  type: string;
}

export interface QuickAddChoice {
  entry: CatalogueEntry;
  /** With a dangling link: the new node's first socket that takes it. */
  socket?: string;
}

/**
 * The node types the quick-add search offers (ComfyUI's double-click search): the palette's search
 * order, and with a dangling link only the types with a socket that takes it, paired with that socket.
 */
export function quickAddChoices(
  index: CatalogueIndex,
  query: string,
  link?: DanglingLink,
  limit = 12,
): QuickAddChoice[] {
  const choices: QuickAddChoice[] = [];
  for (const entry of searchCatalogue(index, query)) {
    if (choices.length >= limit) break;
    if (!link) {
      choices.push({ entry });
      continue;
    }
    const sockets = Object.entries(link.side === 'source' ? entry.inputs : entry.outputs);
    const hit = sockets.find(([, s]) =>
      link.side === 'source' ? index.canConnect(link.type, s.type) : index.canConnect(s.type, link.type),
    );
    if (hit) choices.push({ entry, socket: hit[0] });
  }
  return choices;
}

/** The socket a link was dragged from, with its type (undefined for an unknown node type or socket). */
export function danglingLink(
  nodes: readonly EditorNode[],
  index: CatalogueIndex,
  node: string,
  handle: string,
  side: 'source' | 'target',
): DanglingLink | undefined {
  const type = nodes.find((n) => n.id === node)?.data.nodeType;
  const entry = type ? index.byType.get(type) : undefined;
  const socket = side === 'source' ? entry?.outputs[handle] : entry?.inputs[handle];
  return socket ? { node, handle, side, type: socket.type } : undefined;
}
