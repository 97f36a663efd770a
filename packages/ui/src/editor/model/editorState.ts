import { stableStringify, WorkflowMetadataSchema, type WorkflowMetadata } from '@ptp/graph-core';
import type { Exposures } from './blockScope';
import type { CatalogueIndex } from './catalogueIndex';
import { graphToDocument, type EditorGraph, type EditorNode } from './editorGraph';
import type { ErrorMap } from './errorMap';

/** The server library record the open document is saved as. */
export interface LibraryRef {
  id: string;
  version: number;
}

export interface EditorState {
  graph: EditorGraph;
  /**
   * The catalogue the palette, nodes and connection checks use (the server's when there is one),
   * with an entry for each block the document defines.
   */
  index: CatalogueIndex;
  /** Validation problems by node / input / param, recomputed when the graph's meaning changes. */
  problems: ErrorMap;
  canUndo: boolean;
  canRedo: boolean;
  /** Differs from what was last saved, opened or created. */
  dirty: boolean;
  library?: LibraryRef;
  /** The model packs the runner can load, once known: Load model offers them. */
  packs?: readonly string[];
  /**
   * Bumped when nodes, links, params or metadata change, not on moves, selection or measurements:
   * what depends on the graph's meaning (word pickers, validation) recomputes on it, never per drag frame.
   */
  revision: number;
  /** Set while the canvas shows the inside of a block (outermost first); see openBlock. */
  scope?: {
    path: readonly { nodeId: string; name: string; subgraphId: string }[];
    /** The inner sockets and params the open block exposes, by inner node. */
    exposures: Exposures;
    /** Nodes of the whole workflow (top level and inside blocks) that use the open block. */
    uses: number;
    /** The workflow's top-level nodes as they were when the first block was opened (their results still show). */
    topNodes: readonly EditorNode[];
  };
}

/** What an undo step keeps: the graph's saved parts (not the viewport or the document id). */
export type Snapshot = Pick<EditorGraph, 'nodes' | 'edges' | 'metadata' | 'groups' | 'subgraphs'>;

export const snapshotOf = (g: EditorGraph): Snapshot => ({
  nodes: g.nodes,
  edges: g.edges,
  metadata: g.metadata,
  groups: g.groups,
  subgraphs: g.subgraphs,
});

/** Equal for graphs that save to the same document (the dirty check). */
export const fingerprint = (g: Snapshot): string =>
  stableStringify(graphToDocument({ ...g }, { includeViewport: false }));

export const emptyMetadata = (): WorkflowMetadata => WorkflowMetadataSchema.parse({});
