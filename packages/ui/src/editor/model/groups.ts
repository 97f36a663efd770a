import type { NodeGroup } from '@ptp/graph-core';
import type { EditorGraph, EditorNode } from './editorGraph';

/** Frame colours offered in the editor (dark enough for white titles). */
export const GROUP_COLORS = ['#3b5b7a', '#5b3b7a', '#3b7a55', '#7a5b3b', '#7a3b3b', '#555555'] as const;

/** Space between a frame and its nodes, and the height of its title bar (graph units). */
export const FRAME_PAD = 16;
export const FRAME_TITLE = 28;

export function newGroupId(graph: EditorGraph): string {
  const taken = new Set((graph.groups ?? []).map((g) => g.id));
  for (let i = 1; ; i++) if (!taken.has(`group${i}`)) return `group${i}`;
}

/** A new group; its nodes leave any group they were in (a node belongs to one frame). */
export function addGroup(graph: EditorGraph, group: NodeGroup): EditorGraph {
  const members = new Set(group.nodes);
  const others = (graph.groups ?? [])
    .map((g) => ({ ...g, nodes: g.nodes.filter((id) => !members.has(id)) }))
    .filter((g) => g.nodes.length > 0);
  return { ...graph, groups: [...others, group] };
}

export function patchGroup(
  graph: EditorGraph,
  id: string,
  patch: Partial<Pick<NodeGroup, 'title' | 'color'>>,
): EditorGraph {
  if (!graph.groups?.some((g) => g.id === id)) return graph;
  return { ...graph, groups: graph.groups.map((g) => (g.id === id ? { ...g, ...patch } : g)) };
}

export function removeGroup(graph: EditorGraph, id: string): EditorGraph {
  if (!graph.groups?.some((g) => g.id === id)) return graph;
  return { ...graph, groups: graph.groups.filter((g) => g.id !== id) };
}

export function moveGroupNodes(graph: EditorGraph, id: string, dx: number, dy: number): EditorGraph {
  const group = graph.groups?.find((g) => g.id === id);
  if (!group || (dx === 0 && dy === 0)) return graph;
  const members = new Set(group.nodes);
  return {
    ...graph,
    nodes: graph.nodes.map((n) =>
      members.has(n.id) ? { ...n, position: { x: n.position.x + dx, y: n.position.y + dy } } : n,
    ),
  };
}

/** A node's box, its measured size or 240 x 160 until it is measured. */
const nodeBox = (n: EditorNode) => ({
  x: n.position.x,
  y: n.position.y,
  w: n.measured?.width ?? n.width ?? 240,
  h: n.measured?.height ?? n.height ?? 160,
});

/** The frame of a group around its nodes' measured boxes; undefined when none of its nodes exist. */
export function frameOf(
  group: NodeGroup,
  nodes: readonly EditorNode[],
): { x: number; y: number; width: number; height: number } | undefined {
  const members = new Set(group.nodes);
  const boxes = nodes.filter((n) => members.has(n.id)).map(nodeBox);
  if (!boxes.length) return undefined;
  const x0 = Math.min(...boxes.map((b) => b.x)) - FRAME_PAD;
  const y0 = Math.min(...boxes.map((b) => b.y)) - FRAME_PAD - FRAME_TITLE;
  const x1 = Math.max(...boxes.map((b) => b.x + b.w)) + FRAME_PAD;
  const y1 = Math.max(...boxes.map((b) => b.y + b.h)) + FRAME_PAD;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

type Box = { x: number; y: number; width: number; height: number };

const inside = (box: Box, p: { x: number; y: number }) =>
  p.x >= box.x && p.x <= box.x + box.width && p.y >= box.y && p.y <= box.y + box.height;

/**
 * Group membership after a drag (ComfyUI's frames), from the graph as it was when the drag began
 * (`before`): a dragged node whose centre lands in another group's frame joins that group; a member
 * dragged out of its own frame leaves it. Frames are taken as they were before the drag. A group
 * whose members all moved (its frame, or all of it selected, dragged) keeps them. The same graph
 * when nothing changes.
 */
export function regroupDropped(before: EditorGraph, after: EditorGraph): EditorGraph {
  const groups = after.groups ?? [];
  if (!groups.length) return after;
  const start = new Map(before.nodes.map((n) => [n.id, n.position]));
  const moved = after.nodes.filter((n) => {
    const p = start.get(n.id);
    return p !== undefined && (p.x !== n.position.x || p.y !== n.position.y);
  });
  if (!moved.length) return after;
  const movedIds = new Set(moved.map((n) => n.id));
  const frames = new Map(groups.map((g) => [g.id, frameOf(g, before.nodes)]));
  const wholeGroupMoved = (g: NodeGroup) => g.nodes.every((id) => movedIds.has(id));
  const membership = new Map<string, string | undefined>();
  for (const node of moved) {
    const current = groups.find((g) => g.nodes.includes(node.id));
    if (current && wholeGroupMoved(current)) continue;
    const b = nodeBox(node);
    const centre = { x: b.x + b.w / 2, y: b.y + b.h / 2 };
    const home = current && frames.get(current.id);
    if (home && inside(home, centre)) continue;
    // The frame drawn last (on top) wins where frames overlap.
    const target = [...groups].reverse().find((g) => {
      const f = frames.get(g.id);
      return g !== current && !wholeGroupMoved(g) && f !== undefined && inside(f, centre);
    });
    if (target) membership.set(node.id, target.id);
    else if (current) membership.set(node.id, undefined);
  }
  if (!membership.size) return after;
  const next = groups
    .map((g) => ({
      ...g,
      nodes: [
        ...g.nodes.filter((id) => !membership.has(id)),
        ...[...membership].filter(([, to]) => to === g.id).map(([id]) => id),
      ],
    }))
    .filter((g) => g.nodes.length > 0);
  return { ...after, groups: next };
}
