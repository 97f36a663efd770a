import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { ImageBatch, RgbaImage } from '../image/ImageBatch.js';
import { fakeContext } from '../testing/fakePack.js';
import type { MetricsValue } from '../values.js';
import { shapeJudgeNode } from './shapeJudgeNode.js';
import { renderScene } from './shapesWorld.js';

/** A 32x32 picture of one colour with an optional filled rectangle [x0, x1) x [y0, y1). */
function picture(bg: number[], fg?: { rgb: number[]; x0: number; x1: number; y0: number; y1: number }): RgbaImage {
  const rgba = new Uint8Array(32 * 32 * 4);
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) {
      const inside = fg && x >= fg.x0 && x < fg.x1 && y >= fg.y0 && y < fg.y1;
      rgba.set([...(inside ? fg.rgb : bg), 255], (y * 32 + x) * 4);
    }
  return { width: 32, height: 32, rgba };
}
const circle = renderScene({ shape: 'circle', colour: 'blue', background: 'white', cx: 16, cy: 16, r: 9 }).image;
const square = picture([255, 255, 255], { rgb: [220, 30, 30], x0: 8, x1: 20, y0: 10, y1: 22 });
const judge = (image: ImageBatch, params: Record<string, unknown> = {}, expected?: string) =>
  shapeJudgeNode.run(
    { image, expected: expected ? { text: expected, words: expected.split(' ') } : undefined },
    shapeJudgeNode.params.parse(params),
    fakeContext(),
  ) as { metrics: MetricsValue; mask: ImageBatch };

describe('Shape judge node', () => {
  it('counts the foreground of a drawn rectangle exactly and shows it as a white-on-black mask', () => {
    const { metrics, mask } = judge({ images: [square] });
    expect(metrics.kind).toBe('shapeJudge');
    expect(metrics.values.foregroundPixels).toBe(12 * 12);
    expect(metrics.context).toMatchObject({ background: 'white', shape: 'square' });
    const m = mask.images[0]!;
    expect([m.width, m.height]).toEqual([32, 32]);
    expect(Array.from(m.rgba.subarray(0, 4))).toEqual([0, 0, 0, 255]);
    expect(Array.from(m.rgba.subarray((15 * 32 + 10) * 4, (15 * 32 + 10) * 4 + 4))).toEqual([255, 255, 255, 255]);
  });

  it('picks the item (negative from the end) and checks each label the expected prompt names', () => {
    const batch = { images: [square, circle] };
    const { metrics } = judge(batch, { item: -1 }, 'a blue square on a white background');
    expect(metrics.context).toEqual({ colour: 'blue', shape: 'circle', background: 'white' });
    expect(metrics.values).toMatchObject({ colourOk: 1, shapeOk: 0, backgroundOk: 1 });
    // A prompt naming only a colour checks only the colour.
    expect(Object.keys(judge(batch, { item: 1 }, 'something blue').metrics.values).sort()).toEqual([
      'colourOk',
      'fillRatio',
      'foregroundPixels',
    ]);
    expect(judge({ images: [picture([255, 255, 255])] }).metrics.values.foregroundPixels).toBe(0);
  });

  it('names the input and param for an item outside the batch, and bounds the threshold', () => {
    let caught: unknown;
    try {
      judge({ images: [square] }, { item: 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NodeRunError);
    expect(caught).toMatchObject({ input: 'image', param: 'item', code: 'INVALID_PARAM' });
    expect(shapeJudgeNode.params.safeParse({ threshold: 0 }).success).toBe(false);
    expect(shapeJudgeNode.params.safeParse({ item: 65 }).success).toBe(false);
  });
});
