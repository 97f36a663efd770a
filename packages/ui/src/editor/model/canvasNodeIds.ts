import { FLAT_ID_SEPARATOR, type RunEvent } from '@ptp/graph-core';
import type { NodeResult } from './runResults';

/**
 * Runs report the nodes inside a block as `<block node>/<inner>` (the flattened graph). The canvas
 * shows the block node: this maps such an id to it, and leaves every other id alone. Inside an open
 * block the canvas holds its inner nodes, whose flattened ids start with `prefix` (see
 * EditorStore.canvasPrefix): those map to the inner node (or the block inside it they are in).
 */
export function canvasNodeIds(canvas: ReadonlySet<string>, prefix = ''): (id: string) => string {
  return (id) => {
    if (prefix) {
      if (!id.startsWith(prefix)) return id;
      id = id.slice(prefix.length);
    }
    if (canvas.has(id)) return id;
    const cut = id.indexOf(FLAT_ID_SEPARATOR);
    return cut > 0 && canvas.has(id.slice(0, cut)) ? id.slice(0, cut) : id;
  };
}

const unique = (ids: readonly string[], map: (id: string) => string) => [...new Set(ids.map(map))];

/** A run event with its node ids as the canvas knows them (a block's inner nodes become the block). */
export function eventOnCanvas(event: RunEvent, map: (id: string) => string): RunEvent {
  switch (event.type) {
    case 'run_started':
      return {
        ...event,
        nodes: unique(event.nodes, map),
        cached: unique(event.cached, map),
        targets: unique(event.targets, map),
      };
    case 'node_cached':
      return {
        ...event,
        nodeIds: unique(event.nodeIds, map),
        ...(event.summaries
          ? { summaries: Object.fromEntries(Object.entries(event.summaries).map(([id, v]) => [map(id), v])) }
          : {}),
      };
    case 'node_executing':
    case 'node_executed':
    case 'progress':
      return { ...event, nodeId: map(event.nodeId) };
    case 'success':
      return { ...event, executed: unique(event.executed, map), cached: unique(event.cached, map) };
    case 'error':
    case 'interrupted':
      return event.nodeId === undefined ? event : { ...event, nodeId: map(event.nodeId) };
    default:
      return event;
  }
}

/** Results by canvas node: what a block's inner output nodes made shows on the block, in order. */
export function resultsOnCanvas(
  results: ReadonlyMap<string, NodeResult>,
  map: (id: string) => string,
): Map<string, NodeResult> {
  const out = new Map<string, NodeResult>();
  for (const [id, r] of results) {
    const key = map(id);
    const known = out.get(key);
    if (!known) out.set(key, { ...r, images: [...r.images] });
    else {
      known.images.push(...r.images);
      if (r.heatmaps && !known.heatmaps) known.heatmaps = r.heatmaps;
    }
  }
  return out;
}
