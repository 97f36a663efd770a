import { z } from 'zod';
import type { OutputFile } from '../image/imageFiles.js';

/** Files of this suffix hold an attention viewer's maps; the editor shows them for server and browser runs alike. */
export const HEATMAPS_FILE_SUFFIX = '.heatmaps.json';
const MAX_CELLS = 128 * 128;

const Int = z.number().int().min(0);

/** An attention viewer's per-word maps as one JSON output file (what a server run stores and the editor reads). */
export const HeatmapsFileSchema = z
  .object({
    format: z.literal('ptp-heatmaps'),
    version: z.literal(1),
    /** The prompt the maps belong to and its item (0 = source, k = edit k). */
    prompt: z.string().max(2000),
    item: Int,
    group: z.string().max(16),
    grid: z.tuple([Int.min(1).max(128), Int.min(1).max(128)]),
    perStep: z.boolean(),
    /** Steps the run recorded, and the range the maps sum over (clamped to what was recorded). */
    steps: Int,
    fromStep: Int,
    toStep: Int,
    maps: z
      .array(
        z.object({
          word: z.string().max(100),
          tokenIndices: z.array(Int).max(77),
          map: z.array(z.number().min(0).max(1)).max(MAX_CELLS),
        }),
      )
      .max(77),
  })
  .refine((f) => f.maps.every((m) => m.map.length === f.grid[0] * f.grid[1]), {
    message: 'every map must have grid[0] * grid[1] cells',
    path: ['maps'],
  });
export type HeatmapsFile = z.infer<typeof HeatmapsFileSchema>;

/** Maps as the viewer computes them, ready for the file (values rounded to 3 decimals: 1/1000 is below what a colour ramp shows). */
export function heatmapsFile(
  name: string,
  value: Omit<HeatmapsFile, 'format' | 'version' | 'maps' | 'grid'> & {
    grid: readonly [number, number];
    maps: readonly { word: string; tokenIndices: readonly number[]; map: Float32Array }[];
  },
): OutputFile {
  const file: HeatmapsFile = {
    format: 'ptp-heatmaps',
    version: 1,
    ...value,
    grid: [value.grid[0], value.grid[1]],
    maps: value.maps.map((m) => ({
      word: m.word,
      tokenIndices: [...m.tokenIndices],
      map: Array.from(m.map, (v) => Math.round(Math.min(1, Math.max(0, v)) * 1000) / 1000),
    })),
  };
  return {
    name: `${name}${HEATMAPS_FILE_SUFFIX}`,
    mime: 'application/json',
    data: new TextEncoder().encode(JSON.stringify(file)),
  };
}
