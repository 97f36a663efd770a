import { useCallback, useRef } from 'react';
import type { Connection, Edge, FinalConnectionState, OnConnectEnd } from '@xyflow/react';
import type { EditorStore } from '../model/EditorStore';
import { danglingLink, type DanglingLink } from '../model/quickAdd';
import type { EditorServices } from '../services/EditorContext';
import { FRAME_PREFIX, TITLE_PREFIX } from './GroupFrame';

/** The link a finished drag describes, output to input whichever end it started from. */
function orient(state: FinalConnectionState): Connection | undefined {
  const from = state.fromHandle;
  const to = state.toHandle;
  if (!from || !to) return undefined;
  return from.type === 'source'
    ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null }
    : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null };
}

/** The canvas node (not a group frame) under the pointer where a drag ended. */
function nodeUnder(event: MouseEvent | TouchEvent): string | undefined {
  const at = 'changedTouches' in event ? event.changedTouches[0] : event;
  if (!at) return undefined;
  const id = document.elementFromPoint(at.clientX, at.clientY)?.closest('.react-flow__node')?.getAttribute('data-id');
  return id && !id.startsWith(FRAME_PREFIX) && !id.startsWith(TITLE_PREFIX) ? id : undefined;
}

/**
 * Typed links: checked while dragging, made through the store, and a refused drop says why. A
 * link's end dragged from beside its socket moves it (React Flow's reconnect); let go away from
 * any socket, the link is taken away.
 */
export function useConnections(
  store: EditorStore,
  notify: EditorServices['notify'],
  onDropOnPane: (event: MouseEvent | TouchEvent, link: DanglingLink) => void,
) {
  // The link being moved, if any: it does not count against where it may go (no duplicate of itself).
  const moving = useRef<string>(undefined);
  const isValidConnection = useCallback((c: Edge | Connection) => store.checkConnection(c, moving.current).ok, [store]);
  const onReconnectStart = useCallback((_e: unknown, edge: Edge) => {
    moving.current = edge.id;
  }, []);
  const onReconnect = useCallback(
    (old: Edge, c: Connection) => {
      const verdict = store.reconnect(old.id, c);
      if (!verdict.ok) notify('error', `Link refused: ${verdict.message}`, 'connection-refused');
    },
    [store, notify],
  );
  const onReconnectEnd = useCallback(
    (_e: unknown, edge: Edge, _end: unknown, state: FinalConnectionState) => {
      // Cleared already when the drop was handled (let go on a node's body: see onConnectEnd, called first).
      const handled = moving.current !== edge.id;
      moving.current = undefined;
      if (!handled && !state.toNode && !state.toHandle) store.removeEdges([edge.id]);
    },
    [store],
  );
  const onConnect = useCallback(
    (c: Connection) => {
      const verdict = store.connect(c);
      if (!verdict.ok) notify('error', `Link refused: ${verdict.message}`, 'connection-refused');
    },
    [store, notify],
  );
  // A drop on a handle that isValidConnection refused: say why instead of silently doing nothing.
  const onConnectEnd = useCallback<OnConnectEnd>(
    (event, state) => {
      if (!state.toNode && !state.toHandle && state.fromHandle?.id && state.fromNode) {
        const { graph, index } = store.getState();
        const link = danglingLink(graph.nodes, index, state.fromNode.id, state.fromHandle.id, state.fromHandle.type);
        if (!link) return;
        // Let go on a node's body: its first socket that takes the link (ComfyUI's way).
        const onNode = nodeUnder(event);
        if (onNode) {
          // A link being moved is replaced by the new one (one undo step), or stays when none fits.
          const replacing = moving.current;
          moving.current = undefined;
          if (onNode === link.node) return; // let go on the node it came from: nothing to do
          if (!store.connectToNode(link, onNode, replacing)) {
            const title = index.byType.get(graph.nodes.find((n) => n.id === onNode)?.data.nodeType ?? '')?.title;
            const socket = link.side === 'source' ? 'input that takes' : 'output that gives';
            notify('error', `Link refused: ${title ?? onNode} has no ${socket} ${link.type}`, 'connection-refused');
          }
          return;
        }
        // On the empty canvas: offer the node types that take the link.
        onDropOnPane(event, link);
        return;
      }
      if (state.isValid !== false) return;
      const attempt = orient(state);
      if (!attempt) return;
      const verdict = store.checkConnection(attempt, moving.current);
      if (!verdict.ok) notify('error', `Link refused: ${verdict.message}`, 'connection-refused');
    },
    [store, notify, onDropOnPane],
  );
  return { isValidConnection, onConnect, onConnectEnd, onReconnectStart, onReconnect, onReconnectEnd };
}
