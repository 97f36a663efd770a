import {
  CURRENT_SCHEMA_VERSION,
  runTargets,
  type FoldChoice,
  type GraphError,
  type Subgraph,
  type NodeRegistry,
  type WorkflowDocument,
  type NodeGroup,
  type WorkflowMetadata,
} from '@ptp/graph-core';
import { newNodeId, type CatalogueIndex } from './catalogueIndex';
import { BlockIndex, mergeBlocks } from './blocks';
import { foldOnCanvas, OpenBlockView, unfoldOnCanvas } from './blockEdits';
import { CanvasInputKeys } from './nodeInputKeys';
import type { DanglingLink } from './quickAdd';
import { copyNodes, type ClipboardPayload } from './clipboard';
import {
  documentToGraph,
  graphToDocument,
  type EditorEdge,
  type EditorGraph,
  type EditorNode,
  type NodeMode,
  type Viewport,
} from './editorGraph';
import {
  emptyMetadata,
  fingerprint,
  snapshotOf,
  type EditorState,
  type LibraryRef,
  type Snapshot,
} from './editorState';
import { canvasProblems, workflowReport, type ValidationContext } from './editorProblems';
import {
  withNode,
  withNewNode,
  withNodeUi,
  withConnection,
  withoutEdges,
  withSpliced,
  withLinkToNode,
  withoutNodes,
  withoutParam,
  withoutSelection,
  withParam,
  withPasted,
  withSelection,
} from './graphEdits';
import { type ErrorMap } from './errorMap';
import { History } from './History';
import { addGroup, GROUP_COLORS, moveGroupNodes, newGroupId, patchGroup, regroupDropped, removeGroup } from './groups';
import { compactLayout } from './autoLayout';
import { imageNodeType, uploadParamOf } from './uploadTarget';
import { checkConnection, type ConnectionAttempt, type ConnectionCheck } from './isValidConnection';
import { enterBlock, graphWithSurroundings, leaveBlock, rootGraph, scopePrefix, type BlockScope } from './blockScope';

export type { EditorState, LibraryRef } from './editorState';

interface ChangeOptions {
  /** Record an undo step (default true); with a key, repeated changes within a second merge. */
  history?: boolean;
  coalesceKey?: string;
  /** Revalidate (default true): positions and selection never change validity. */
  structural?: boolean;
  /** Skip the dirty check (drag frames); `endDrag` does it once. */
  transient?: boolean;
}

/**
 * The editor's state and every edit to it, without React or the DOM: the canvas, toolbar and
 * shortcuts call these methods; components read through `subscribe`/`getState`
 * (useSyncExternalStore). Snapshots for undo are the immutable graph objects themselves.
 */
export class EditorStore {
  #state: EditorState;
  #index: CatalogueIndex;
  #registry: NodeRegistry;
  #history: History<Snapshot>;
  readonly #historyOptions: { capacity: number; now?: () => number };
  /** Blocks opened for editing, outermost first, each with the undo history of the level above. */
  #scopes: { scope: BlockScope; history: History<Snapshot> }[] = [];
  readonly #listeners = new Set<() => void>();
  #savedFingerprint: string;
  readonly #blockIndex = new BlockIndex();
  #wordsMemo?: { nodes: EditorNode[]; edges: EditorEdge[]; value: Pick<EditorGraph, 'nodes' | 'edges'> };
  readonly #scopeView = new OpenBlockView();
  /** The graph when the drag under way began (group membership is settled when it ends). */
  #dragStart?: EditorGraph;
  /** Param defaults of new nodes that differ from the catalogue's (e.g. the pack's sample prompt). */
  readonly #defaultsFor = new Map<string, Record<string, unknown>>();

  constructor(options: {
    index: CatalogueIndex;
    registry: NodeRegistry;
    now?: () => number;
    historyCapacity?: number;
  }) {
    this.#index = options.index;
    this.#registry = options.registry;
    this.#historyOptions = {
      capacity: options.historyCapacity ?? 100,
      ...(options.now ? { now: options.now } : {}),
    };
    this.#history = new History<Snapshot>(this.#historyOptions);
    const graph: EditorGraph = { nodes: [], edges: [], metadata: emptyMetadata() };
    this.#savedFingerprint = fingerprint(graph);
    this.#state = {
      graph,
      index: this.#index,
      problems: this.#validate(graph),
      canUndo: false,
      canRedo: false,
      dirty: false,
      revision: 0,
    };
  }

  getState = (): EditorState => this.#state;

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Calls `listener` after each edit that could change what a run makes (the revision moves; not a move or a selection). */
  onEdit(listener: () => void): () => void {
    let revision = this.#state.revision;
    return this.subscribe(() => {
      const next = this.#state.revision;
      if (next !== revision) listener();
      revision = next;
    });
  }

  get index(): CatalogueIndex {
    return this.#state.index;
  }
  get registry(): NodeRegistry {
    return this.#registry;
  }

  /** A new catalogue (e.g. the server's arrived): revalidate against it. */
  setCatalogue(index: CatalogueIndex, registry: NodeRegistry): void {
    this.#index = index;
    this.#registry = registry;
    this.#emit({ ...this.#state, index, problems: this.#validate(this.#state.graph) });
  }

  /** The model packs the runner can load (undefined: not known): Load model naming another is a problem. */
  setPacks(packs: readonly string[] | undefined): void {
    const { packs: _drop, ...rest } = this.#state;
    this.#emit({ ...rest, ...(packs ? { packs } : {}), problems: this.#validate(this.#state.graph, packs) });
  }

  /**
   * The whole workflow as a document (what is saved, exported and run), with the inside of an
   * open block written back into its definition.
   */
  document(): WorkflowDocument {
    const doc = graphToDocument(this.#root(this.#state.graph));
    // Its library entry: a run of it then names the workflow (History reopens it as that one).
    if (this.#state.library) doc.id = this.#state.library.id;
    return doc;
  }

  /** The graph the canvas shows as a document: the inside of the open block, if one is. */
  canvasDocument(): WorkflowDocument {
    return graphToDocument(this.#state.graph);
  }

  /**
   * Shows the inside of block node `nodeId` for editing: its nodes' params, links and new nodes
   * change the block's definition (every node of that block). Undo works inside; closeBlock goes
   * back, and the whole visit is then one undo step.
   */
  openBlock(nodeId: string): { ok: true } | { ok: false; message: string } {
    const entered = enterBlock(this.#state.graph, nodeId);
    if (!entered.ok) return entered;
    if (this.#openScopes().some((s) => s.subgraphId === entered.scope.subgraphId))
      return { ok: false, message: `block "${entered.scope.name}" is already open` };
    this.#scopes.push({ scope: entered.scope, history: this.#history });
    this.#history = new History<Snapshot>(this.#historyOptions);
    this.#show(entered.inner);
    return { ok: true };
  }

  /** Leaves `levels` open blocks (all with Infinity), writing their insides back; the block node is selected. */
  closeBlock(levels = 1): void {
    for (let i = 0; i < levels && this.#scopes.length; i++) {
      const { scope, history } = this.#scopes.pop()!;
      const back = leaveBlock(scope, this.#state.graph);
      const changed = fingerprint(back) !== fingerprint(scope.outer);
      this.#history = history;
      if (changed) this.#history.record(snapshotOf(scope.outer));
      const graph = {
        ...back,
        nodes: back.nodes.map((n) =>
          Boolean(n.selected) === (n.id === scope.nodeId) ? n : { ...n, selected: !n.selected },
        ),
      };
      this.#show(graph);
    }
  }

  /** Opens a document: clears undo history; it counts as saved unless `saved: false`. */
  load(doc: WorkflowDocument, options: { library?: LibraryRef; saved?: boolean } = {}): void {
    const graph = documentToGraph(doc);
    if (this.#scopes.length) {
      this.#history = this.#scopes[0]!.history;
      this.#scopes = [];
    }
    this.#history.clear();
    this.#savedFingerprint = options.saved === false ? '' : fingerprint(graph);
    const next: EditorState = {
      graph,
      index: this.#index,
      problems: this.#validate(graph),
      canUndo: false,
      canRedo: false,
      dirty: options.saved === false,
      revision: this.#state.revision + 1,
    };
    if (options.library) next.library = options.library;
    if (this.#state.packs) next.packs = this.#state.packs;
    this.#emit(next);
  }

  newDocument(): void {
    this.load({ schemaVersion: CURRENT_SCHEMA_VERSION, metadata: emptyMetadata(), nodes: [], edges: [] });
  }

  /** The open workflow's library entry is gone (deleted): its graph stays, unsaved; Save makes a new entry. */
  forgetLibrary(): void {
    const { library: _gone, ...rest } = this.#state;
    this.#savedFingerprint = '';
    this.#emit({ ...rest, dirty: true });
  }

  /** After a save to the library (or export): the current graph is the clean state. */
  markSaved(library?: LibraryRef, metadata?: WorkflowMetadata): void {
    let graph = this.#state.graph;
    if (metadata) graph = { ...graph, metadata };
    if (library && graph.documentId !== undefined && graph.documentId !== library.id)
      graph = { ...graph, documentId: library.id };
    // The levels above an open block keep what was saved too (they are written back on leaving).
    for (const s of this.#scopes) {
      s.scope.outer = { ...s.scope.outer, metadata: graph.metadata };
      if (library && s.scope.outer.documentId !== undefined) s.scope.outer.documentId = library.id;
    }
    this.#savedFingerprint = fingerprint(this.#root(graph));
    const next: EditorState = { ...this.#state, graph, dirty: false };
    if (library) next.library = library;
    this.#emit(next);
  }

  /**
   * The open workflow's library entry was renamed elsewhere (the Library dialog): its name and
   * version follow, without an undo step; unsaved edits stay unsaved, a saved graph stays saved.
   */
  renamedInLibrary(library: LibraryRef, name: string): void {
    if (this.#state.library?.id !== library.id) return;
    const rename = (g: EditorGraph): EditorGraph => ({ ...g, metadata: { ...g.metadata, name } });
    for (const s of this.#scopes) s.scope.outer = rename(s.scope.outer);
    const graph = rename(this.#state.graph);
    if (!this.#state.dirty) this.#savedFingerprint = fingerprint(this.#root(graph));
    this.#emit({ ...this.#state, graph, library, revision: this.#state.revision + 1 });
  }

  /** Applies a change to the graph; every edit goes through here. */
  #change(update: (g: EditorGraph) => EditorGraph, options: ChangeOptions = {}): void {
    const before = this.#state.graph;
    const graph = update(before);
    if (graph === before) return;
    if (options.history !== false) this.#history.record(snapshotOf(before), options.coalesceKey);
    const structural = options.structural !== false;
    this.#emit({
      ...this.#state,
      graph,
      problems: structural ? this.#validate(graph) : this.#state.problems,
      canUndo: this.#history.canUndo,
      canRedo: this.#history.canRedo,
      dirty: options.transient ? this.#state.dirty : fingerprint(this.#root(graph)) !== this.#savedFingerprint,
      revision: structural ? this.#state.revision + 1 : this.#state.revision,
    });
  }

  /**
   * Node array from React Flow's applyNodeChanges. `kind` says what changed: drag frames and
   * measurements are not undo steps (beginDrag records one per drag), selection changes nothing saved.
   */
  setNodes(nodes: EditorNode[], kind: 'drag' | 'select' | 'measure' | 'nudge' | 'remove'): void {
    if (kind === 'remove') {
      const keep = new Set(nodes.map((n) => n.id));
      this.#change((g) => ({ ...g, nodes, edges: g.edges.filter((e) => keep.has(e.source) && keep.has(e.target)) }));
      return;
    }
    this.#change((g) => ({ ...g, nodes }), {
      history: kind === 'nudge',
      coalesceKey: 'nudge',
      structural: false,
      transient: kind !== 'nudge',
    });
  }

  setEdges(edges: EditorEdge[], kind: 'select' | 'remove'): void {
    this.#change(
      (g) => ({ ...g, edges }),
      kind === 'select' ? { history: false, structural: false, transient: true } : {},
    );
  }

  /** Call when a drag starts: the positions before it become one undo step. */
  beginDrag(): void {
    const g = this.#state.graph;
    this.#dragStart = g;
    this.#history.record(snapshotOf(g));
    this.#history.seal();
    this.#emit({ ...this.#state, canUndo: true, canRedo: false });
  }

  /** Call when a drag ends: nodes dropped into or out of a group's frame join or leave it (same undo step). */
  endDrag(): void {
    const start = this.#dragStart;
    this.#dragStart = undefined;
    if (start) this.#change((g) => regroupDropped(start, g), { history: false, structural: false });
    const dirty = fingerprint(this.#root(this.#state.graph)) !== this.#savedFingerprint;
    if (dirty !== this.#state.dirty) this.#emit({ ...this.#state, dirty });
  }

  /**
   * Lays the graph out compactly (columns up to `maxHeight`, see compactLayout) from the nodes'
   * measured sizes; one undo step. Nodes not measured yet count as 240 x 160.
   */
  arrange(maxHeight = 820): void {
    const { nodes, edges } = this.#state.graph;
    const at = compactLayout(
      nodes.map((n) => ({ id: n.id, width: n.measured?.width ?? 240, height: n.measured?.height ?? 160 })),
      edges.map((e) => ({ from: e.source, to: e.target })),
      { maxHeight },
    );
    this.#change((g) => ({ ...g, nodes: g.nodes.map((n) => ({ ...n, position: at.get(n.id) ?? n.position })) }), {
      structural: false,
    });
  }

  /** Frames the selected nodes in a new group (one undo step); returns its id. */
  groupSelection(title = 'Group'): string | undefined {
    const ids = this.#state.graph.nodes.filter((n) => n.selected).map((n) => n.id);
    // Frames are the workflow's editor data; a block's definition has none to keep them in.
    if (!ids.length || this.#scopes.length) return undefined;
    const id = newGroupId(this.#state.graph);
    this.#change((g) => addGroup(g, { id, title, color: GROUP_COLORS[0]!, nodes: ids }), { structural: false });
    return id;
  }

  /**
   * Bypasses (ComfyUI's Ctrl+B) or mutes (Ctrl+M) the selected nodes, or brings them back when every
   * one is in that mode already; one undo step. Returns whether they are in the mode now, or
   * undefined with none selected.
   */
  toggleMode(mode: NodeMode): boolean | undefined {
    const selected = this.#state.graph.nodes.filter((n) => n.selected);
    if (!selected.length) return undefined;
    const on = !selected.every((n) => n.data.mode === mode);
    const ids = new Set(selected.map((n) => n.id));
    this.#change((g) => ({
      ...g,
      nodes: g.nodes.map((n) => {
        if (!ids.has(n.id)) return n;
        const { mode: _was, ...data } = n.data;
        return { ...n, data: on ? { ...data, mode } : data };
      }),
    }));
    return on;
  }

  /**
   * Collapses the selected nodes to their sockets (ComfyUI's Alt+C), or expands them when every one
   * is collapsed already; one undo step. Returns whether they are collapsed now, or undefined with
   * none selected.
   */
  toggleCollapsed(): boolean | undefined {
    const selected = this.#state.graph.nodes.filter((n) => n.selected);
    if (!selected.length) return undefined;
    const collapsed = !selected.every((n) => n.data.collapsed);
    this.setSelectedNodesUi({ collapsed });
    return collapsed;
  }

  /** Editor-only extras (colour, collapsed, pinned) for every selected node at once: one undo step. */
  setSelectedNodesUi(patch: Partial<Pick<EditorNode['data'], 'color' | 'collapsed' | 'pinned'>>): void {
    const ids = this.#state.graph.nodes.filter((n) => n.selected).map((n) => n.id);
    if (!ids.length) return;
    this.#change((g) => ids.reduce((acc, id) => withNodeUi(acc, id, patch), g), { structural: false });
  }

  updateGroup(id: string, patch: Partial<Pick<NodeGroup, 'title' | 'color'>>): void {
    this.#change((g) => patchGroup(g, id, patch), { structural: false, coalesceKey: `group:${id}` });
  }

  ungroup(id: string): void {
    this.#change((g) => removeGroup(g, id), { structural: false });
  }

  /** Moves every node of a group (a frame drag); the drag's undo step comes from beginDrag. */
  moveGroup(id: string, dx: number, dy: number): void {
    this.#change((g) => moveGroupNodes(g, id, dx, dy), { history: false, structural: false, transient: true });
  }

  /**
   * Folds the selected nodes into a new block exposing what `choice` picks (see planFold); one
   * undo step. Returns the block node's id, or the reason it could not.
   */
  foldSelection(choice: FoldChoice): { ok: true; nodeId: string } | { ok: false; message: string } {
    const ids = this.#state.graph.nodes.filter((n) => n.selected).map((n) => n.id);
    const folded = foldOnCanvas(this.canvasDocument(), ids, choice, this.#state.index, this.#openDefinition());
    if (!folded.ok) return folded;
    this.#replaceGraph(folded.doc, [folded.nodeId]);
    return { ok: true, nodeId: folded.nodeId };
  }

  /** Replaces a block node by its inner nodes (selected afterwards); one undo step. */
  unfold(nodeId: string): { ok: true; nodeIds: string[] } | { ok: false; message: string } {
    const unfolded = unfoldOnCanvas(this.canvasDocument(), nodeId, this.#openDefinition());
    if (!unfolded.ok) return unfolded;
    this.#replaceGraph(unfolded.doc, unfolded.nodeIds);
    return { ok: true, nodeIds: unfolded.nodeIds };
  }

  /** The definition of the innermost open block, as the canvas graph holds it. */
  #openDefinition(): Subgraph | undefined {
    const open = this.#scopes.at(-1)?.scope;
    return open && this.#state.graph.subgraphs?.find((s) => s.id === open.subgraphId);
  }

  /**
   * Adds a block from elsewhere (a shipped block or the library): its definitions join the
   * document's (renamed when an id is taken by a different one), then a node of it. Returns the id.
   */
  addBlock(definitions: readonly Subgraph[], blockId: string, position: { x: number; y: number }): string | undefined {
    const merged = mergeBlocks(this.#state.graph.subgraphs ?? [], definitions);
    const id = merged.ids.get(blockId);
    if (!id) return undefined;
    const graph = { ...this.#state.graph, subgraphs: merged.subgraphs };
    const index = this.#blockIndex.of(this.#index, graph.subgraphs);
    const entry = index.byType.get(`subgraph:${id}`);
    if (!entry) return undefined;
    const nodeId = newNodeId(id, new Set(graph.nodes.map((n) => n.id)));
    const node: EditorNode = {
      id: nodeId,
      type: 'ptp',
      position,
      data: { nodeType: entry.type, typeVersion: entry.version, params: {} },
      selected: true,
    };
    this.#change((g) => withNode({ ...g, subgraphs: merged.subgraphs }, node));
    return nodeId;
  }

  /** A document made by fold/unfold as the graph (one undo step); `select` becomes the selection. */
  #replaceGraph(doc: WorkflowDocument, select: readonly string[]): void {
    const next = documentToGraph(doc);
    const chosen = new Set(select);
    this.#change((g) => ({
      ...g,
      nodes: next.nodes.map((n) => (chosen.has(n.id) ? { ...n, selected: true } : n)),
      edges: next.edges,
      subgraphs: next.subgraphs,
      groups: next.groups,
    }));
  }

  setViewport(viewport: Viewport): void {
    // Not an edit: no undo step, no unsaved-changes flag.
    this.#state = { ...this.#state, graph: { ...this.#state.graph, viewport } };
  }

  /** New nodes of `type` start with these params over the catalogue's defaults. */
  setNodeDefaults(type: string, params: Record<string, unknown>): void {
    this.#defaultsFor.set(type, params);
  }

  /**
   * Adds a node of `type` (selected); with `link`, also links the dangling socket it was added for to
   * the new node's `link.socket`, as one undo step (a link the types refuse is left out).
   */
  addNode(
    type: string,
    position: { x: number; y: number },
    link?: Omit<DanglingLink, 'type'> & { socket: string },
  ): string | undefined {
    const added = withNewNode(this.#state.graph, this.#state.index, type, position, this.#defaultsFor.get(type), link);
    if (!added) return undefined;
    this.#change(() => added.graph);
    return added.id;
  }

  /**
   * An uploaded picture into the graph (a picture dropped or opened): into `onto` when that node
   * takes uploads (Load image), else as a new image node at `position`, selected. One undo step.
   * Returns the node and whether it is new; undefined when the catalogue has no image node.
   */
  placeUpload(
    upload: string,
    position: { x: number; y: number },
    onto?: string,
  ): { nodeId: string; added: boolean } | undefined {
    const { graph, index } = this.#state;
    const target = onto === undefined ? undefined : graph.nodes.find((n) => n.id === onto);
    const param = uploadParamOf(target && index.byType.get(target.data.nodeType));
    if (target && param) {
      this.setParam(target.id, param, upload);
      return { nodeId: target.id, added: false };
    }
    const entry = imageNodeType(index);
    const name = uploadParamOf(entry);
    if (!entry || !name) return undefined;
    const added = withNewNode(graph, index, entry.type, position, {
      ...this.#defaultsFor.get(entry.type),
      [name]: upload,
    });
    if (!added) return undefined;
    this.#change(() => added.graph);
    return { nodeId: added.id, added: true };
  }

  /** Whether the link may be drawn; `moving`: a link being moved, which does not count (see reconnect). */
  checkConnection(attempt: ConnectionAttempt, moving?: string): ConnectionCheck {
    const { graph, index } = this.#state;
    const edges = moving === undefined ? graph.edges : graph.edges.filter((e) => e.id !== moving);
    return checkConnection(attempt, graph.nodes, edges, index);
  }

  /**
   * A dangling link let go on a node's body: linked to its first socket that takes it (withLinkToNode),
   * one undo step. `replacing`: the link being moved, which the new one takes the place of. False
   * (and nothing changed) when no socket takes it.
   */
  connectToNode(link: Omit<DanglingLink, 'type'>, nodeId: string, replacing?: string): boolean {
    const from = replacing === undefined ? this.#state.graph : withoutEdges(this.#state.graph, [replacing]);
    const linked = withLinkToNode(from, this.#state.index, link, nodeId);
    if (linked) this.#change(() => linked);
    return linked !== undefined;
  }

  /**
   * Moves a link to other sockets (one end dragged elsewhere): the old link goes and the new one
   * comes as one undo step, when checkConnection allows it; unchanged otherwise. Returns the verdict.
   */
  reconnect(edgeId: string, attempt: ConnectionAttempt): ConnectionCheck {
    const { graph, verdict } = withConnection(withoutEdges(this.#state.graph, [edgeId]), attempt, this.#state.index);
    if (verdict.ok) this.#change(() => graph);
    return verdict;
  }

  /** Adds an edge when `checkConnection` allows it (in place of the link it replaces); returns the verdict either way. */
  connect(attempt: ConnectionAttempt): ConnectionCheck {
    const { graph, verdict } = withConnection(this.#state.graph, attempt, this.#state.index);
    if (verdict.ok) this.#change(() => graph);
    return verdict;
  }

  /**
   * Splits a link with a Reroute (the catalogue's pass-through type) at `position`: source ->
   * reroute -> target, one undo step. Returns the reroute's id; undefined for an unknown link or a
   * catalogue without a reroute.
   */
  rerouteEdge(edgeId: string, position: { x: number; y: number }): string | undefined {
    const { graph, index } = this.#state;
    const reroute = [...index.byType.values()].find((e) => e.passThrough);
    if (!reroute || !graph.edges.some((e) => e.id === edgeId)) return undefined;
    const added = withNewNode(graph, index, reroute.type, position, this.#defaultsFor.get(reroute.type));
    const split = added && withSpliced(added.graph, index, added.id, edgeId);
    if (!split) return undefined;
    this.#change(() => split);
    return added.id;
  }

  /**
   * Whether `spliceIntoEdge` would put this node into that link (the canvas marks the link while a
   * node is dragged over it).
   */
  canSplice(nodeId: string, edgeId: string): boolean {
    return withSpliced(this.#state.graph, this.#state.index, nodeId, edgeId) !== undefined;
  }

  /**
   * Puts a node with no links into a link (withSpliced); false when it does not fit. Dropped at the
   * end of a drag, it is part of the drag's undo step.
   */
  spliceIntoEdge(nodeId: string, edgeId: string): boolean {
    const spliced = withSpliced(this.#state.graph, this.#state.index, nodeId, edgeId);
    if (!spliced) return false;
    this.#change(() => spliced, this.#dragStart ? { history: false } : {});
    return true;
  }

  removeEdges(ids: readonly string[]): void {
    this.#change((g) => withoutEdges(g, ids));
  }

  removeNodes(ids: readonly string[]): void {
    this.#change((g) => withoutNodes(g, ids));
  }

  /** Deletes the selected nodes (with their links) and selected edges as one undo step. */
  deleteSelection(): void {
    this.#change(withoutSelection);
  }

  /** Sets one param; consecutive edits of the same param (slider drags, typing) are one undo step. */
  setParam(nodeId: string, name: string, value: unknown): void {
    this.#change((g) => withParam(g, nodeId, name, value), { coalesceKey: `param:${nodeId}:${name}` });
  }

  /** Several params of one node as one undo step (the results panel's Update maps). */
  setParams(nodeId: string, values: object): void {
    this.#change((g) => Object.entries(values).reduce((acc, [name, value]) => withParam(acc, nodeId, name, value), g));
  }

  /** Drops a param so the node uses the type's default again. */
  resetParam(nodeId: string, name: string): void {
    this.#change((g) => withoutParam(g, nodeId, name));
  }

  /** Editor-only node extras (label, colour, collapsed): saved, undoable, never revalidated. */
  setNodeUi(nodeId: string, patch: Partial<Pick<EditorNode['data'], 'label' | 'color' | 'collapsed'>>): void {
    this.#change((g) => withNodeUi(g, nodeId, patch), { structural: false });
  }

  setMetadata(patch: Partial<WorkflowMetadata>): void {
    this.#change((g) => ({ ...g, metadata: { ...g.metadata, ...patch } }), {
      coalesceKey: 'metadata',
      structural: false,
    });
  }

  selectOnly(ids: readonly string[]): void {
    this.#change((g) => withSelection(g, ids), { history: false, structural: false, transient: true });
  }

  copySelection(): ClipboardPayload | undefined {
    const g = this.#state.graph;
    return copyNodes(g, new Set(g.nodes.filter((n) => n.selected).map((n) => n.id)));
  }

  /**
   * Pastes as one undo step; the pasted nodes become the selection. Returns their ids. With
   * `withInputs` (Ctrl+Shift+V) the copies keep the links that fed them, where those nodes are here
   * and the types still fit (another workflow's node of the same id may be another type).
   */
  paste(payload: ClipboardPayload, at?: { x: number; y: number }, withInputs = false): string[] {
    const pasted = withPasted(this.#state.graph, payload, at, withInputs, this.#state.index);
    this.#change(() => pasted.graph);
    return pasted.ids;
  }

  undo(): boolean {
    return this.#restore(this.#history.undo(this.#snapshot()));
  }

  redo(): boolean {
    return this.#restore(this.#history.redo(this.#snapshot()));
  }

  #snapshot(): Snapshot {
    return snapshotOf(this.#state.graph);
  }

  #restore(snap: Snapshot | undefined): boolean {
    if (!snap) return false;
    this.#show({ ...this.#state.graph, ...snap });
    return true;
  }

  /** A whole new graph on the canvas (undo, redo, a block opened or left): revalidated, flags recomputed. */
  #show(graph: EditorGraph): void {
    this.#emit({
      ...this.#state,
      graph,
      problems: this.#validate(graph),
      canUndo: this.#history.canUndo,
      canRedo: this.#history.canRedo,
      dirty: fingerprint(this.#root(graph)) !== this.#savedFingerprint,
      revision: this.#state.revision + 1,
    });
  }

  /**
   * The problems that stop a run of `targets` (flattened ids; default: every output), by the
   * server's rule (runTargets): problems in branches no output needs do not block.
   */
  runBlockers(targets?: readonly string[]): GraphError[] {
    return runTargets(workflowReport(this.#state.graph, this.#openScopes(), this.#context()), targets).blocking;
  }

  // `packs` defaults to the known list (`?.`: the constructor validates before #state exists).
  #context(packs = this.#state?.packs): ValidationContext {
    return { registry: this.#registry, index: this.#index, packs };
  }

  #validate(graph: EditorGraph, packs = this.#state?.packs): ErrorMap {
    return canvasProblems(graph, this.#openScopes(), this.#context(packs));
  }

  #openScopes(): BlockScope[] {
    return this.#scopes.map((s) => s.scope);
  }

  /** The whole workflow for a graph of the innermost open block (the graph itself when none is open). */
  #root(graph: EditorGraph): EditorGraph {
    return rootGraph(this.#openScopes(), graph);
  }

  #prefix(): string {
    return scopePrefix(this.#openScopes());
  }

  /** Nodes and links word pickers read prompts from: the canvas's, and inside a block the graph around it. */
  wordsGraph(): Pick<EditorGraph, 'nodes' | 'edges'> {
    const g = this.#state.graph;
    const memo = this.#wordsMemo;
    if (memo && memo.nodes === g.nodes && memo.edges === g.edges) return memo.value;
    const value = graphWithSurroundings(this.#scopes.at(-1)?.scope, g);
    this.#wordsMemo = { nodes: g.nodes, edges: g.edges, value };
    return value;
  }

  /** The flattened-graph prefix of the canvas's nodes ('' at the top level): runs report `<prefix><id>`. */
  get canvasPrefix(): string {
    return this.#prefix();
  }

  readonly #inputKeys = new CanvasInputKeys();

  /** nodeInputKeys of the canvas's nodes, as a run of document() would record them (see CanvasInputKeys). */
  canvasInputKeys(): ReadonlyMap<string, string> {
    return this.#inputKeys.of(this.#state.graph, () => this.document(), this.#prefix());
  }

  #emit(state: EditorState): void {
    state.index = this.#blockIndex.of(this.#index, state.graph.subgraphs);
    const scope = this.#scopeView.of(this.#openScopes(), state.graph, () => this.#root(state.graph));
    if (scope) state.scope = scope;
    else delete state.scope;
    this.#state = state;
    for (const l of [...this.#listeners]) l();
  }
}
