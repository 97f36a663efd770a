import {
  blockEntries,
  stableStringify,
  subgraphIdOf,
  type NodeShape,
  type Subgraph,
  type WorkflowDocument,
} from '@ptp/graph-core';
import { indexCatalogue, type CatalogueIndex } from './catalogueIndex';
import { TEMPLATES } from './templates';

/** The library tag of workflows that hold a block to reuse (saved from the editor's "my blocks"). */
export const BLOCK_TAG = 'block';

/**
 * The catalogue index with an entry for each block definition of a document: kept while the base
 * index and the definitions are the same objects.
 */
export class BlockIndex {
  #memo?: { base: CatalogueIndex; subgraphs: readonly Subgraph[]; index: CatalogueIndex };

  of(base: CatalogueIndex, subgraphs: readonly Subgraph[] | undefined): CatalogueIndex {
    if (!subgraphs?.length) return base;
    const memo = this.#memo;
    if (memo && memo.base === base && memo.subgraphs === subgraphs) return memo.index;
    const entries = blockEntries([...subgraphs], (t) => base.byType.get(t));
    const catalogue = base.catalogue;
    const index = indexCatalogue({ ...catalogue, nodes: [...catalogue.nodes, ...entries] });
    this.#memo = { base, subgraphs, index };
    return index;
  }
}

/** A block the palette can add: its definition and the definitions of the blocks nested in it. */
export interface BlockOffer {
  /** Where it comes from: shipped with the studio, or a library workflow's id. */
  source: 'shipped' | { library: string };
  blockId: string;
  name: string;
  description: string;
  definitions: Subgraph[];
}

/** Sockets and params of a node type from the catalogue, for planning a fold. */
export function shapeLookup(index: CatalogueIndex): (type: string) => NodeShape | undefined {
  return (type) => {
    const e = index.byType.get(type);
    if (!e) return undefined;
    const props = (e.params.properties ?? {}) as Record<string, unknown>;
    return { inputs: Object.keys(e.inputs), outputs: Object.keys(e.outputs), params: Object.keys(props) };
  };
}

/** A definition and every definition it uses, inner first (what a block needs to travel). */
export function blockClosure(all: readonly Subgraph[], id: string): Subgraph[] {
  const byId = new Map(all.map((s) => [s.id, s]));
  const out: Subgraph[] = [];
  const seen = new Set<string>();
  const visit = (bid: string) => {
    const def = byId.get(bid);
    if (!def || seen.has(bid)) return;
    seen.add(bid);
    for (const n of def.nodes) {
      const child = subgraphIdOf(n.type);
      if (child !== undefined) visit(child);
    }
    out.push(def);
  };
  visit(id);
  return out;
}

/**
 * The block a document offers: the one its first block node uses (with what it nests), or the
 * document's last definition when no node uses one.
 */
export function offerOf(doc: WorkflowDocument, source: BlockOffer['source']): BlockOffer | undefined {
  const defs = doc.subgraphs ?? [];
  const used = doc.nodes.map((n) => subgraphIdOf(n.type)).find((id) => id !== undefined);
  const def = defs.find((d) => d.id === used) ?? defs[defs.length - 1];
  if (!def) return undefined;
  return {
    source,
    blockId: def.id,
    name: def.name,
    description: def.description || doc.metadata.description,
    definitions: blockClosure(defs, def.id),
  };
}

/** A library workflow holding just this block (and what it nests), with one node of it. */
export function blockDocument(all: readonly Subgraph[], id: string): WorkflowDocument | undefined {
  const definitions = blockClosure(all, id);
  const def = definitions[definitions.length - 1];
  if (!def) return undefined;
  return {
    schemaVersion: 3,
    metadata: { name: def.name, description: def.description, tags: [BLOCK_TAG] },
    nodes: [{ id: def.id, type: `subgraph:${def.id}`, typeVersion: 1, params: {}, ui: { position: { x: 0, y: 0 } } }],
    edges: [],
    subgraphs: definitions,
  };
}

/**
 * Adds definitions to a document's: an identical one (same content) is reused, a different one
 * with a taken id is renamed, and nested references follow the renames. `ids` maps each incoming id
 * to the one it has in the result.
 */
export function mergeBlocks(
  existing: readonly Subgraph[],
  incoming: readonly Subgraph[],
): { subgraphs: Subgraph[]; ids: Map<string, string> } {
  const subgraphs = [...existing];
  const ids = new Map<string, string>();
  const content = (s: Subgraph) => stableStringify({ ...s, id: '' });
  for (const def of incoming) {
    const renamed: Subgraph = {
      ...def,
      nodes: def.nodes.map((n) => {
        const child = subgraphIdOf(n.type);
        const to = child === undefined ? undefined : ids.get(child);
        return to === undefined ? n : { ...n, type: `subgraph:${to}` };
      }),
    };
    const same = subgraphs.find((s) => content(s) === content(renamed));
    if (same) {
      ids.set(def.id, same.id);
      continue;
    }
    let id = def.id;
    for (let i = 2; subgraphs.some((s) => s.id === id); i++) id = `${def.id}_${i}`;
    subgraphs.push({ ...renamed, id });
    ids.set(def.id, id);
  }
  return { subgraphs, ids };
}

/**
 * The shipped blocks (e.g. the CL P2P edit): the examples tagged `block`, each offering its block,
 * once per block id (an example and its tiny-shapes twin ship the same block).
 */
export const SHIPPED_BLOCKS: readonly BlockOffer[] = TEMPLATES.filter((t) => t.tags.includes(BLOCK_TAG))
  .flatMap((t) => {
    const offer = offerOf(t.document, 'shipped');
    return offer ? [offer] : [];
  })
  .filter((offer, i, all) => all.findIndex((o) => o.blockId === offer.blockId) === i);
