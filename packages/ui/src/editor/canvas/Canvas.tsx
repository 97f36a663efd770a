import { useCallback, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  ControlButton,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type Viewport,
} from '@xyflow/react';
import type { NodeGroup } from '@ptp/graph-core';
import type { CatalogueIndex } from '../model/catalogueIndex';
import type { EditorEdge, EditorNode } from '../model/editorGraph';
import type { EditorStore } from '../model/EditorStore';
import { useEditor } from '../hooks/useEditor';
import { useServices } from '../services/EditorContext';
import { categoryColor } from './categoryColors';
import { FRAME_PREFIX, GroupFrame, GroupTitle, TITLE_PREFIX, type FrameNode } from './GroupFrame';
import { PtpNode, type FlowNode } from './PtpNode';
import { FRAME_TITLE, frameOf } from '../model/groups';
import { outputTypeOf } from '../model/linkTypes';
import { BlockPath } from '../panels/BlockPath';
import { EdgeMenu, useEdgeMenu } from './EdgeMenu';
import { NodeMenu, useNodeMenu } from './NodeMenu';
import { QuickAdd, useQuickAdd } from './QuickAdd';
import { useConnections } from './useConnections';
import { useDropOnLink } from './useDropOnLink';

/** The MIME type the palette drags node types with. */
export const NODE_DRAG_TYPE = 'application/x-ptp-node-type';

const nodeTypes = { ptp: PtpNode, ptpGroup: GroupFrame, ptpGroupTitle: GroupTitle };
const PRO_OPTIONS = { hideAttribution: true };
/** Large graphs render only what is on screen; small ones render everything (smoother panning). */
const VIRTUALIZE_ABOVE = 150;
const MINIMAP_ABOVE = 20;
/**
 * A link's end is picked up within this of a point this far beside its socket: more would reach
 * across the gap between columns into the next socket's.
 */
const RECONNECT_RADIUS = 10;
/** Shift+click adds to the selection, as Ctrl/Cmd+click does (ComfyUI's and most editors' habit). */
const MULTI_SELECT_KEYS = ['Meta', 'Control', 'Shift'];
/** Ctrl+drag on the empty canvas draws a selection box (ComfyUI's), as Shift+drag does (React Flow's). */
const BOX_SELECT_KEYS = ['Shift', 'Control', 'Meta'];

/** Which kind of store change a batch of React Flow node changes is (one undo step per drag). */
function nodeChangeKind(
  changes: readonly NodeChange<FlowNode>[],
  dragging: boolean,
): 'drag' | 'select' | 'measure' | 'nudge' | 'remove' {
  const kinds = new Set(changes.map((c) => c.type));
  return kinds.has('remove')
    ? 'remove'
    : kinds.has('position')
      ? dragging
        ? 'drag'
        : 'nudge'
      : kinds.has('select')
        ? 'select'
        : 'measure';
}

/**
 * Edges take the colour of the socket type they carry (through reroutes, what feeds them); the
 * link a dragged node would be dropped into is drawn wide.
 */
function useStyledEdges(
  store: EditorStore,
  edges: readonly EditorEdge[],
  index: CatalogueIndex,
  spliceTarget: string | undefined,
): Edge[] {
  return useMemo<Edge[]>(() => {
    const byId = new Map(store.getState().graph.nodes.map((n) => [n.id, n]));
    return edges.map((e) => {
      const type = outputTypeOf(e.source, e.sourceHandle, (id) => byId.get(id), edges, index);
      const style = { stroke: type ? index.colorOf(type) : '#888', strokeWidth: 2 };
      return e.id === spliceTarget
        ? { ...e, className: 'splice-target', style: { ...style, strokeWidth: 6 } }
        : { ...e, style };
    });
  }, [edges, index, store, spliceTarget]);
}

/** A frame dragged to `to`: its group's nodes move by the same amount. */
function moveFrame(store: EditorStore, frameId: string, to: { x: number; y: number }): void {
  const { graph } = store.getState();
  const group = graph.groups?.find((g) => `${TITLE_PREFIX}${g.id}` === frameId);
  const frame = group && frameOf(group, graph.nodes);
  if (group && frame) store.moveGroup(group.id, to.x - frame.x, to.y - frame.y);
}

/** Frames of the groups, drawn behind the nodes. */
function useFrames(nodes: readonly EditorNode[], groups: readonly NodeGroup[] | undefined): FrameNode[] {
  return useMemo(
    () =>
      (groups ?? []).flatMap((group) => {
        const f = frameOf(group, nodes);
        if (!f) return [];
        const frame: FrameNode = {
          id: `${FRAME_PREFIX}${group.id}`,
          type: 'ptpGroup',
          position: { x: f.x, y: f.y },
          width: f.width,
          height: f.height,
          style: { width: f.width, height: f.height, pointerEvents: 'none' },
          zIndex: -1,
          selectable: false,
          draggable: false,
          focusable: false,
          data: { group },
        };
        const title: FrameNode = {
          id: `${TITLE_PREFIX}${group.id}`,
          type: 'ptpGroupTitle',
          position: { x: f.x, y: f.y },
          width: f.width,
          height: FRAME_TITLE,
          style: { width: f.width, height: FRAME_TITLE },
          zIndex: 1000,
          selectable: false,
          data: { group },
        };
        return [frame, title];
      }),
    [nodes, groups],
  );
}

/** Node and edge changes into the store; a drag (of nodes or a selection) is one undo step. */
function useGraphChanges(store: EditorStore) {
  const dragging = useRef(false);
  const onNodesChange = useCallback(
    (all: NodeChange<FlowNode>[]) => {
      // A frame's position change moves its group's nodes; its other changes are React Flow's own.
      const isFrame = (id: string) => id.startsWith(FRAME_PREFIX) || id.startsWith(TITLE_PREFIX);
      // Dragging a title moves its group alone (React Flow would also drag the selected nodes).
      const titleDrag = all.some((c) => c.type === 'position' && c.id.startsWith(TITLE_PREFIX));
      const changes = all.filter((c) => !('id' in c && isFrame(c.id)) && !(titleDrag && c.type === 'position'));
      for (const c of all)
        if (c.type === 'position' && c.id.startsWith(TITLE_PREFIX) && c.position) moveFrame(store, c.id, c.position);
      if (!changes.length) return;
      const current = store.getState().graph.nodes as FlowNode[];
      const next = applyNodeChanges(changes, current) as EditorNode[];
      store.setNodes(next, nodeChangeKind(changes, dragging.current));
    },
    [store],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const next = applyEdgeChanges(changes, store.getState().graph.edges as Edge[]) as EditorEdge[];
      store.setEdges(next, changes.some((c) => c.type === 'remove') ? 'remove' : 'select');
    },
    [store],
  );
  const onDragStart = useCallback(() => {
    dragging.current = true;
    store.beginDrag();
  }, [store]);
  const onDragStop = useCallback(() => {
    dragging.current = false;
    store.endDrag();
  }, [store]);
  return { onNodesChange, onEdgesChange, onDragStart, onDragStop };
}

/** Drops on the canvas: a node type from the palette, or a file to open (with where it fell). */
function useCanvasDrop(store: EditorStore, onDropFile: CanvasProps['onDropFile']) {
  const rf = useReactFlow();
  const onDragOver = useCallback((e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = e.dataTransfer.types.includes(NODE_DRAG_TYPE) ? 'move' : 'copy';
  }, []);
  const onDrop = useCallback(
    (e: DragEvent) => {
      e.preventDefault();
      const type = e.dataTransfer.getData(NODE_DRAG_TYPE);
      const at = rf.screenToFlowPosition({ x: e.clientX, y: e.clientY });
      if (type) {
        store.addNode(type, at);
        return;
      }
      const file = e.dataTransfer.files[0];
      const node = (e.target as Element | null)?.closest?.('.react-flow__node')?.getAttribute('data-id') ?? undefined;
      if (file) onDropFile(file, { at, ...(node ? { node } : {}) });
    },
    [store, rf, onDropFile],
  );
  return { onDragOver, onDrop };
}

interface CanvasProps {
  /** A file dropped on the canvas, with the canvas point it fell on and the node under it. */
  onDropFile(file: File, drop: { at: { x: number; y: number }; node?: string }): void;
  /** Runs only what these nodes need (the node menu's Run to here). */
  onRunTo(ids: string[]): void;
}

/**
 * The React Flow canvas bound to the editor store: typed connections checked by
 * `checkConnection`, one undo step per drag, palette drops, and files dropped to open (workflows)
 * or to load (pictures).
 */
export function Canvas({ onDropFile, onRunTo }: CanvasProps) {
  const { store, notify } = useServices();
  const nodes = useEditor((s) => s.graph.nodes) as FlowNode[];
  const groups = useEditor((s) => s.graph.groups);
  const frames = useFrames(nodes, groups);
  // Frames ride along with the nodes React Flow draws (typed as nodes: onNodesChange tells them apart by id).
  const flowNodes = useMemo(() => {
    // A pinned node stays where it is (ComfyUI's Pin): React Flow does not drag it.
    const placed = nodes.some((n) => n.data.pinned)
      ? nodes.map((n) => (n.data.pinned ? { ...n, draggable: false } : n))
      : nodes;
    return frames.length ? ([...frames, ...placed] as unknown as FlowNode[]) : placed;
  }, [frames, nodes]);
  const edges = useEditor((s) => s.graph.edges);
  const index = useEditor((s) => s.index);
  const { onNodesChange, onEdgesChange, onDragStart, onDragStop } = useGraphChanges(store);
  const { quickAdd, openQuickAdd, closeQuickAdd, onDoubleClick, canvasRef } = useQuickAdd();
  const dropOnLink = useDropOnLink(store, canvasRef, onDragStop);
  const styledEdges = useStyledEdges(store, edges, index, dropOnLink.target);
  const connections = useConnections(store, notify, openQuickAdd);
  const { nodeMenu, onNodeContextMenu, closeNodeMenu } = useNodeMenu(canvasRef);
  const { edgeMenu, onEdgeContextMenu, closeEdgeMenu } = useEdgeMenu(canvasRef);
  // Right-click on the empty canvas: the node search there (ComfyUI's canvas menu adds nodes).
  const onPaneContextMenu = useCallback(
    (e: ReactMouseEvent | MouseEvent) => {
      e.preventDefault();
      openQuickAdd(e);
    },
    [openQuickAdd],
  );
  const { onDragOver, onDrop } = useCanvasDrop(store, onDropFile);

  // Every prop below is stable between renders: React Flow memoizes its node and edge layers on
  // them, and the canvas re-renders on every drag frame (an inline handler would re-render all edges).
  const onEdgeDoubleClick = useCallback((_e: unknown, edge: Edge) => store.removeEdges([edge.id]), [store]);
  const onMoveEnd = useCallback((_e: unknown, viewport: Viewport) => store.setViewport(viewport), [store]);
  const minimapColor = useCallback(
    (n: Node) => categoryColor(index.byType.get((n as FlowNode).data.nodeType)?.category),
    [index],
  );

  // The overview map covers a corner of the canvas: on by default only for graphs too big to see at once.
  const [minimap, setMinimap] = useState<boolean>();
  const showMinimap = minimap ?? nodes.length > MINIMAP_ABOVE;

  return (
    <div
      className="canvas"
      data-testid="canvas"
      ref={canvasRef}
      onDragOver={onDragOver}
      onDrop={onDrop}
      onDoubleClick={onDoubleClick}
    >
      <ReactFlow
        nodes={flowNodes}
        edges={styledEdges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={connections.onConnect}
        onConnectEnd={connections.onConnectEnd}
        isValidConnection={connections.isValidConnection}
        onReconnectStart={connections.onReconnectStart}
        onReconnect={connections.onReconnect}
        onReconnectEnd={connections.onReconnectEnd}
        reconnectRadius={RECONNECT_RADIUS}
        onNodeDragStart={onDragStart}
        onNodeDrag={dropOnLink.onNodeDrag}
        onNodeDragStop={dropOnLink.onNodeDragStop}
        onSelectionDragStart={onDragStart}
        onSelectionDragStop={onDragStop}
        onEdgeDoubleClick={onEdgeDoubleClick}
        onNodeContextMenu={onNodeContextMenu}
        onEdgeContextMenu={onEdgeContextMenu}
        onPaneContextMenu={onPaneContextMenu}
        onMoveEnd={onMoveEnd}
        // A double-click on the empty canvas opens the node search (ComfyUI's), not a zoom.
        zoomOnDoubleClick={false}
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        selectionKeyCode={BOX_SELECT_KEYS}
        // Deleting goes through the store (one undo step for nodes and their links): see useShortcuts.
        deleteKeyCode={null}
        onlyRenderVisibleElements={nodes.length > VIRTUALIZE_ABOVE}
        minZoom={0.05}
        maxZoom={2.5}
        colorMode="dark"
        proOptions={PRO_OPTIONS}
        connectionRadius={24}
      >
        <Background gap={24} />
        <Controls>
          <ControlButton
            onClick={() => setMinimap(!showMinimap)}
            title={showMinimap ? 'hide the overview map' : 'show the overview map'}
            data-testid="toggle-minimap"
          >
            ▦
          </ControlButton>
        </Controls>
        {showMinimap && <MiniMap pannable zoomable nodeColor={minimapColor} nodeStrokeWidth={2} />}
      </ReactFlow>
      <BlockPath />
      {quickAdd && <QuickAdd at={quickAdd} onClose={closeQuickAdd} />}
      {nodeMenu && <NodeMenu at={nodeMenu} onClose={closeNodeMenu} onRunTo={onRunTo} />}
      {edgeMenu && <EdgeMenu at={edgeMenu} onClose={closeEdgeMenu} />}
      {nodes.length === 0 && (
        <div className="empty-hint">
          Open a template, drop a studio PNG or workflow JSON here, or drag nodes from the palette.
        </div>
      )}
    </div>
  );
}
