import type { RunOutput } from '@ptp/graph-core';

/** One image a node produced: PNG bytes from the browser runner, or a URL on the server. */
export interface ResultImage {
  name: string;
  mime: string;
  bytes?: Uint8Array;
  url?: string;
}

/** Per-word attention maps as the attention viewer node computes them (`tokenHeatmaps`). */
export interface ResultHeatmaps {
  group: string;
  grid: readonly [number, number];
  perStep: boolean;
  maps: readonly { word: string; tokenIndices: readonly number[]; map: Float32Array }[];
}

export interface NodeResult {
  images: ResultImage[];
  heatmaps?: ResultHeatmaps;
}

interface FileLike {
  nodeId: string;
  name: string;
  mime: string;
  data: Uint8Array;
}

function isHeatmaps(v: unknown): v is ResultHeatmaps {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as ResultHeatmaps;
  return (
    typeof h.group === 'string' &&
    Array.isArray(h.grid) &&
    Array.isArray(h.maps) &&
    h.maps.every((m) => typeof m.word === 'string' && m.map instanceof Float32Array)
  );
}

/**
 * An in-browser run's result to what the editor shows per node: its image files (PNG bytes, in
 * output order) and attention heatmaps found among the plain-data outputs.
 */
export function resultsFromRun(result: {
  files: readonly FileLike[];
  outputs?: Record<string, Record<string, unknown>>;
}): Map<string, NodeResult> {
  const out = new Map<string, NodeResult>();
  const get = (id: string) => {
    let r = out.get(id);
    if (!r) out.set(id, (r = { images: [] }));
    return r;
  };
  for (const f of result.files)
    if (f.mime.startsWith('image/')) get(f.nodeId).images.push({ name: f.name, mime: f.mime, bytes: f.data });
  for (const [nodeId, values] of Object.entries(result.outputs ?? {})) {
    for (const value of Object.values(values ?? {})) if (isHeatmaps(value)) get(nodeId).heatmaps = value;
  }
  return out;
}

/** A server run's output files (GET /api/runs/:id/outputs/:name) grouped by node, in name order. */
export function resultsFromServerOutputs(
  outputs: readonly RunOutput[],
  urlOf: (name: string) => string,
): Map<string, NodeResult> {
  const out = new Map<string, NodeResult>();
  for (const o of [...outputs].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!o.mime.startsWith('image/')) continue;
    let r = out.get(o.nodeId);
    if (!r) out.set(o.nodeId, (r = { images: [] }));
    r.images.push({ name: o.name, mime: o.mime, url: urlOf(o.name) });
  }
  return out;
}
