import { HEATMAPS_FILE_SUFFIX, HeatmapsFileSchema, type HeatmapsFile } from '@ptp/nodes';
import type { RunOutput } from '@ptp/graph-core';

/** One image a node produced: PNG bytes from the browser runner, or a URL on the server. */
export interface ResultImage {
  name: string;
  mime: string;
  bytes?: Uint8Array;
  url?: string;
}

/** Per-word attention maps of an attention viewer (its `.heatmaps.json` file), maps as Float32Array. */
export type ResultHeatmaps = Omit<HeatmapsFile, 'format' | 'version' | 'maps'> & {
  maps: readonly { word: string; tokenIndices: readonly number[]; map: Float32Array }[];
};

export interface NodeResult {
  images: ResultImage[];
  heatmaps?: ResultHeatmaps;
  /** The run that made it; results of an earlier run are marked as such while or after another runs. */
  runSerial: number;
  /** The node's nodeInputKeys in that run: while the graph gives the same key, the result is current. */
  inputsKey?: string;
}

interface FileLike {
  nodeId: string;
  name: string;
  mime: string;
  data: Uint8Array;
}

export const isHeatmapsFile = (name: string): boolean => name.endsWith(HEATMAPS_FILE_SUFFIX);

/** A maps file's bytes (or parsed JSON) to what the results panel draws; undefined when it is not one. */
export function parseHeatmaps(json: unknown): ResultHeatmaps | undefined {
  let value = json;
  if (value instanceof Uint8Array) {
    try {
      value = JSON.parse(new TextDecoder().decode(value));
    } catch {
      return undefined;
    }
  }
  const parsed = HeatmapsFileSchema.safeParse(value);
  if (!parsed.success) return undefined;
  const { format: _f, version: _v, maps, ...rest } = parsed.data;
  return { ...rest, maps: maps.map((m) => ({ ...m, map: Float32Array.from(m.map) })) };
}

function resultOf(out: Map<string, NodeResult>, id: string, runSerial: number): NodeResult {
  let r = out.get(id);
  if (!r) out.set(id, (r = { images: [], runSerial }));
  return r;
}

/** An in-browser run's files to what the editor shows per node: images (PNG bytes, in output order) and maps. */
export function resultsFromRun(result: { files: readonly FileLike[] }, runSerial = 0): Map<string, NodeResult> {
  const out = new Map<string, NodeResult>();
  for (const f of result.files) {
    if (f.mime.startsWith('image/'))
      resultOf(out, f.nodeId, runSerial).images.push({ name: f.name, mime: f.mime, bytes: f.data });
    else if (isHeatmapsFile(f.name)) {
      const heatmaps = parseHeatmaps(f.data);
      if (heatmaps) resultOf(out, f.nodeId, runSerial).heatmaps = heatmaps;
    }
  }
  return out;
}

/**
 * A server run's output files (GET /api/runs/:id/outputs/:name) grouped by node, in name order:
 * images by URL, and maps files fetched and parsed (the attention viewer of a server run).
 */
export async function resultsFromServerOutputs(
  outputs: readonly RunOutput[],
  urlOf: (name: string) => string,
  runSerial = 0,
  fetchJson: (url: string) => Promise<unknown> = async (url) => (await fetch(url)).json(),
): Promise<Map<string, NodeResult>> {
  const out = new Map<string, NodeResult>();
  for (const o of [...outputs].sort((a, b) => a.name.localeCompare(b.name))) {
    if (o.mime.startsWith('image/'))
      resultOf(out, o.nodeId, runSerial).images.push({ name: o.name, mime: o.mime, url: urlOf(o.name) });
    else if (isHeatmapsFile(o.name)) {
      const heatmaps = parseHeatmaps(await fetchJson(urlOf(o.name)).catch(() => undefined));
      if (heatmaps) resultOf(out, o.nodeId, runSerial).heatmaps = heatmaps;
    }
  }
  return out;
}
