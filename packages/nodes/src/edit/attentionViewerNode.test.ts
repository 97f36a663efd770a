import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { fakeContext } from '../testing/fakePack.js';
import type { ImageBatch } from '../image/ImageBatch.js';
import type { AttentionValue } from '../values.js';
import { attentionViewerNode, type TokenHeatmap } from './attentionViewerNode.js';
import { HeatmapsFileSchema } from './heatmapsFile.js';
import type { OutputFile } from '../image/imageFiles.js';

const T = 4;
/** Maps [N = 2, cells, T] where token t of item n has value (n + 1) * (t + 1) * step * cellWeight(cell). */
function maps(cells: number, step: number, cellWeight: (c: number) => number): Float32Array {
  const m = new Float32Array(2 * cells * T);
  for (let n = 0; n < 2; n++)
    for (let c = 0; c < cells; c++)
      for (let t = 0; t < T; t++) m[(n * cells + c) * T + t] = (n + 1) * (t + 1) * step * cellWeight(c);
  return m;
}
// Step 0 attends to the top left most, steps 1 and 2 to the bottom right.
const perStep = [maps(4, 1, (c) => 4 - c), maps(4, 2, (c) => c + 1), maps(4, 3, (c) => c + 1)];
const attention: AttentionValue = {
  packId: 'fake',
  prompts: ['red circle', 'blue circle'],
  words: [
    [
      { word: 'red', tokenIndices: [1] },
      { word: 'circle', tokenIndices: [2] },
    ],
    [
      { word: 'blue', tokenIndices: [1] },
      { word: 'circle', tokenIndices: [2] },
    ],
  ],
  tokenLength: T,
  steps: 3,
  groups: [
    { name: '2x2', grid: [2, 2], sum: perStep.reduce((a, b) => a.map((v, i) => v + b[i]!)), perStep },
    // A coarser group with sums only, and one finer without per-step maps: the default skips both.
    { name: '1x1', grid: [1, 1], sum: new Float32Array(2 * T).fill(1), perStep: [new Float32Array(2 * T).fill(1)] },
    { name: '4x4', grid: [4, 4], sum: new Float32Array(2 * 16 * T).fill(1) },
  ],
};
const run = (params: Record<string, unknown>) =>
  attentionViewerNode.run({ attention }, attentionViewerNode.params.parse(params), fakeContext()) as {
    image: ImageBatch;
    heatmaps: { group: string; grid: readonly [number, number]; perStep: boolean; maps: TokenHeatmap[] };
    files: OutputFile[];
  };

describe('Attention viewer node', () => {
  it("shows each word of an item as its map summed over the step range, normalised to the map's max", () => {
    const { heatmaps } = run({ item: 1, fromStep: 1, toStep: 2 });
    expect(heatmaps).toMatchObject({ group: '2x2', grid: [2, 2], perStep: true });
    expect(heatmaps.maps.map((m) => [m.word, m.tokenIndices])).toEqual([
      ['blue', [1]],
      ['circle', [2]],
    ]);
    // Every factor but the cell's cancels in the normalisation: (cell + 1) / 4.
    for (const m of heatmaps.maps) expect(Array.from(m.map)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(Array.from(run({ toStep: 0 }).heatmaps.maps[0]!.map)).toEqual([1, 0.75, 0.5, 0.25]);
    // All steps (the default range): (4 - c) + 2 (c + 1) + 3 (c + 1) = 9 + 4c, over its max 21.
    Array.from(run({}).heatmaps.maps[0]!.map).forEach((v, c) => expect(v).toBeCloseTo((9 + 4 * c) / 21, 6));
    expect(attentionViewerNode.summarize!(run({ item: 1 }))).toEqual({ group: '2x2', words: ['blue', 'circle'] });
  });

  it('filters words case-insensitively and reads another resolution when asked', () => {
    expect(run({ words: ['CIRCLE'] }).heatmaps.maps.map((m) => m.word)).toEqual(['circle']);
    const coarse = run({ resolution: '4x4', words: ['red'] }).heatmaps;
    expect(coarse).toMatchObject({ group: '4x4', grid: [4, 4], perStep: false });
    expect(new Set(coarse.maps[0]!.map)).toEqual(new Set([1]));
  });

  it('draws one tile per word, side by side, dark where attention is low and bright at the max', () => {
    const { image } = run({ tileSize: 16 });
    const im = image.images[0]!;
    expect([im.width, im.height]).toEqual([32, 16]);
    const px = (x: number, y: number) =>
      Array.from(im.rgba.subarray((y * im.width + x) * 4, (y * im.width + x) * 4 + 4));
    // Cell 3 (bottom right of each tile) is the max over all steps: the ramp's brightest colour.
    expect(px(15, 15)).toEqual([252, 255, 164, 255]);
    expect(px(31, 15)).toEqual([252, 255, 164, 255]);
    const dim = px(0, 0);
    expect(dim[0]! + dim[1]! + dim[2]!).toBeLessThan(252 + 255 + 164);
  });

  it('names the param for an item or resolution that does not exist', () => {
    const fail = (params: Record<string, unknown>) => {
      try {
        run(params);
      } catch (err) {
        return err;
      }
      throw new Error('expected the node to refuse');
    };
    expect(fail({ item: 2 })).toBeInstanceOf(NodeRunError);
    expect(fail({ item: 2 })).toMatchObject({ param: 'item' });
    expect(fail({ resolution: '16x16' })).toMatchObject({
      param: 'resolution',
      message: expect.stringContaining('2x2, 1x1, 4x4'),
    });
    // A step range that ends before it starts is said before any run, on its end.
    const check = (p: object) => attentionViewerNode.check!({}, attentionViewerNode.params.parse(p));
    expect(check({ fromStep: 15, toStep: 5 })).toEqual([
      { message: 'the step range ends (5) before it starts (15)', param: 'toStep' },
    ]);
    expect(check({ fromStep: 5, toStep: 5 })).toEqual([]);
  });
});

describe('the maps file', () => {
  it('carries the labelled maps, the prompt and the step range really covered, in a schema the editor parses', () => {
    const out = run({ item: 1, fromStep: 1, prefix: 'maps' });
    expect(out.files).toHaveLength(1);
    const [file] = out.files;
    expect(file).toMatchObject({ name: 'maps.heatmaps.json', mime: 'application/json' });
    const parsed = HeatmapsFileSchema.parse(JSON.parse(new TextDecoder().decode(file!.data)));
    expect(parsed).toMatchObject({ prompt: 'blue circle', item: 1, group: '2x2', steps: 3, fromStep: 1, toStep: 2 });
    expect(parsed.maps.map((m) => m.word)).toEqual(['blue', 'circle']);
    expect(parsed.maps[0]!.map).toEqual(Array.from(out.heatmaps.maps[0]!.map, (v) => Math.round(v * 1000) / 1000));
    // A group without per-step maps covers every step, whatever range was asked.
    const summed = run({ resolution: '4x4', fromStep: 1, toStep: 1 }) as ReturnType<typeof run> & {
      files: OutputFile[];
    };
    expect(HeatmapsFileSchema.parse(JSON.parse(new TextDecoder().decode(summed.files[0]!.data)))).toMatchObject({
      perStep: false,
      fromStep: 0,
      toStep: 2,
    });
  });
});
