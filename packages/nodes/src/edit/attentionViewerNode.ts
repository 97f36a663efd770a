import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import type { RgbaImage } from '../image/ImageBatch.js';
import { filePrefixSchema } from '../image/imageFiles.js';
import { heatmapsFile } from './heatmapsFile.js';
import type { AttentionValue } from '../values.js';

// A perceptually ordered dark-to-bright ramp (black, purple, orange, yellow-white).
const RAMP: readonly [number, number, number][] = [
  [0, 0, 4],
  [87, 16, 110],
  [188, 55, 84],
  [249, 142, 9],
  [252, 255, 164],
];
function colour(v: number): [number, number, number] {
  const x = Math.min(Math.max(v, 0), 1) * (RAMP.length - 1);
  const i = Math.min(Math.floor(x), RAMP.length - 2);
  const f = x - i;
  const a = RAMP[i]!;
  const b = RAMP[i + 1]!;
  return [a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]), a[2] + f * (b[2] - a[2])];
}

export interface TokenHeatmap {
  word: string;
  tokenIndices: number[];
  /** [h*w] normalised to [0, 1]. */
  map: Float32Array;
}

/** Maps of the chosen words of one item, summed over a step range, each normalised to its max. */
export function tokenHeatmaps(
  att: AttentionValue,
  item: number,
  groupName: string,
  fromStep: number,
  toStep: number,
  words: readonly string[],
) {
  const group = groupName
    ? att.groups.find((g) => g.name === groupName)
    : ([...att.groups].sort((a, b) => b.grid[0] - a.grid[0]).find((g) => g.perStep) ?? att.groups[0]);
  if (!group)
    throw new NodeRunError(`no attention group "${groupName}"; have ${att.groups.map((g) => g.name).join(', ')}`, {
      param: 'resolution',
    });
  const [h, w] = group.grid;
  const cells = h * w;
  const T = att.tokenLength;
  const N = att.prompts.length;
  if (item >= N) throw new NodeRunError(`item ${item} does not exist; the maps hold ${N} prompt(s)`, { param: 'item' });
  const last = Math.min(toStep, att.steps - 1);
  const sources = group.perStep ? group.perStep.slice(fromStep, last + 1) : [group.sum];
  const wanted = words.length
    ? att.words[item]!.filter((x) => words.some((q) => q.toLowerCase() === x.word.toLowerCase()))
    : att.words[item]!;
  const maps: TokenHeatmap[] = wanted.map(({ word, tokenIndices }) => {
    const map = new Float32Array(cells);
    for (const s of sources)
      for (let c = 0; c < cells; c++)
        for (const t of tokenIndices) if (t < T) map[c] = map[c]! + s[(item * cells + c) * T + t]!;
    const max = Math.max(...map, 1e-12);
    for (let c = 0; c < cells; c++) map[c] = map[c]! / max;
    return { word, tokenIndices, map };
  });
  return {
    group: group.name,
    grid: [h, w] as const,
    perStep: Boolean(group.perStep),
    prompt: att.prompts[item] ?? '',
    item,
    steps: att.steps,
    // The range the maps really cover: a group without per-step maps is the sum over every step.
    fromStep: group.perStep ? Math.min(fromStep, last) : 0,
    toStep: group.perStep ? last : att.steps - 1,
    maps,
  };
}

export const attentionViewerNode = defineNode({
  type: 'ptp.attentionViewer',
  version: 1,
  title: 'Attention viewer',
  category: 'output',
  description: 'Per-word cross-attention heatmaps over a step range and resolution.',
  output: true,
  inputs: { attention: { type: 'ATTENTION' } },
  outputs: { image: { type: 'IMAGE' }, heatmaps: { type: 'ANY' }, files: { type: 'ANY' } },
  params: z.object({
    item: z.number().int().min(0).max(16).default(0).meta({ description: '0 = source, 1.. = edits' }),
    words: z
      .array(z.string().min(1).max(100))
      .max(77)
      .default([])
      .meta({ widget: 'words', description: 'empty = every word' }),
    resolution: z
      .string()
      .max(16)
      .default('')
      .meta({ description: 'group such as 16x16; empty = finest with per-step maps', advanced: true }),
    fromStep: z.number().int().min(0).max(1000).default(0).meta({ advanced: true }),
    toStep: z.number().int().min(0).max(1000).default(1000).meta({ advanced: true }),
    tileSize: z.number().int().min(16).max(512).default(128).meta({ advanced: true }),
    prefix: filePrefixSchema()
      .default('attention')
      .meta({ description: 'name of the maps file (<prefix>.heatmaps.json) the editor shows', advanced: true }),
  }),
  check: (_inputs, p) =>
    p.fromStep > p.toStep
      ? [{ message: `the step range ends (${p.toStep}) before it starts (${p.fromStep})`, param: 'toStep' }]
      : [],
  run: ({ attention }, p) => {
    const result = tokenHeatmaps(attention, p.item, p.resolution, p.fromStep, p.toStep, p.words);
    const [h, w] = result.grid;
    const S = p.tileSize;
    const tiles = Math.max(result.maps.length, 1);
    const rgba = new Uint8Array(S * tiles * S * 4);
    result.maps.forEach((m, t) => {
      for (let y = 0; y < S; y++) {
        for (let x = 0; x < S; x++) {
          const [r, g, b] = colour(m.map[Math.floor((y * h) / S) * w + Math.floor((x * w) / S)]!);
          const o = (y * S * tiles + t * S + x) * 4;
          rgba[o] = r;
          rgba[o + 1] = g;
          rgba[o + 2] = b;
          rgba[o + 3] = 255;
        }
      }
    });
    const image: RgbaImage = { width: S * tiles, height: S, rgba };
    return { image: { images: [image] }, heatmaps: result, files: [heatmapsFile(p.prefix, result)] };
  },
  summarize: ({ heatmaps }) => ({
    group: (heatmaps as { group: string }).group,
    words: (heatmaps as { maps: { word: string }[] }).maps.map((m) => m.word),
  }),
});
