import { NodeRunError } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import type { ImageBatch, RgbaImage } from '../image/ImageBatch.js';
import { fakeContext } from '../testing/fakePack.js';
import type { MetricsValue } from '../values.js';
import { editMetricsNode } from './editMetricsNode.js';
import { TWO_OBJECT_SCENE } from '../testing/twoObjectScene.js';
import { renderScenesImage, scenesCaption, type Scene } from './scenesWorld.js';

/** 32x32 on white, a filled rectangle [x0, x1) x [y0, y1) of one colour; `dot` paints one extra pixel. */
function picture(rgb: number[], x0: number, x1: number, y0: number, y1: number, dot?: [number, number]): RgbaImage {
  const rgba = new Uint8Array(32 * 32 * 4);
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 32; x++) {
      const inside = x >= x0 && x < x1 && y >= y0 && y < y1;
      rgba.set([...(inside ? rgb : [255, 255, 255]), 255], (y * 32 + x) * 4);
    }
  if (dot) rgba.set([250, 250, 250, 255], (dot[1] * 32 + dot[0]) * 4);
  return { width: 32, height: 32, rgba };
}
const red = [220, 30, 30];
const blue = [30, 60, 220];
const measure = (source: ImageBatch, edit: ImageBatch, target: string, params: Record<string, unknown> = {}) =>
  editMetricsNode.run(
    { source, edit, target: { text: target, words: target.split(' ') }, sourcePrompt: undefined },
    editMetricsNode.params.parse(params),
    fakeContext(),
  ) as { metrics: MetricsValue; masks: ImageBatch };

describe('Edit metrics node', () => {
  it('scores a recolour in place: same structure, success, untouched background', () => {
    const batch = { images: [picture(red, 8, 20, 8, 20), picture(blue, 8, 20, 8, 20)] };
    const { metrics, masks } = measure(batch, batch, 'a blue square on a white background');
    expect(metrics).toMatchObject({
      kind: 'edit',
      values: { iou: 1, success: 1, backgroundPsnr: Infinity },
      context: { sourceColour: 'red', editColour: 'blue', sourceShape: 'square', editShape: 'square' },
    });
    // Source mask, edit mask, and the compared background: everything outside the union grown by 1.
    expect(masks.images).toHaveLength(3);
    const white = (im: RgbaImage) => Array.from({ length: 32 * 32 }, (_, p) => im.rgba[p * 4]! / 255);
    expect(white(masks.images[0]!).reduce((a, b) => a + b)).toBe(144);
    expect(white(masks.images[2]!).reduce((a, b) => a + b)).toBe(32 * 32 - 14 * 14);
  });

  it('measures separate batches by item, counts a moved shape and a changed background pixel', () => {
    const moved = measure(
      { images: [picture(red, 4, 12, 4, 12)] },
      { images: [picture(blue, 20, 28, 20, 28, [0, 31])] },
      'a red square',
      { editItem: 0, dilate: 0 },
    ).metrics.values;
    expect(moved.iou).toBe(0);
    expect(moved.success).toBe(0);
    expect(moved.backgroundPsnr).toBeLessThan(Infinity);
    expect(moved.backgroundPsnr).toBeGreaterThan(40);
  });

  it('names the input and param for an item outside its batch', () => {
    const one = { images: [picture(red, 8, 20, 8, 20)] };
    let caught: unknown;
    try {
      measure(one, one, 'a blue square', { sourceItem: -2, editItem: 0 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NodeRunError);
    expect(caught).toMatchObject({ input: 'source', param: 'sourceItem' });
    expect(editMetricsNode.params.safeParse({ dilate: 9 }).success).toBe(false);
  });

  it('judges a 64 px tiny-scenes edit per object: success, untouched-object PSNR, the changed object named', () => {
    const source: Scene = TWO_OBJECT_SCENE;
    const edited: Scene = { ...source, objects: [source.objects[0]!, { ...source.objects[1]!, colour: 'green' }] };
    const prompt = (s: Scene) => ({ text: scenesCaption(s), words: scenesCaption(s).split(' ') });
    const batch = { images: [renderScenesImage(source).image, renderScenesImage(edited).image] };
    const run = (inputs: Record<string, unknown>, params: Record<string, unknown> = {}) =>
      editMetricsNode.run(
        { source: batch, edit: batch, target: prompt(edited), sourcePrompt: undefined, ...inputs } as Parameters<
          typeof editMetricsNode.run
        >[0],
        editMetricsNode.params.parse(params),
        fakeContext(),
      ) as { metrics: MetricsValue; masks: ImageBatch };
    const r = run({ sourcePrompt: prompt(source) });
    expect(r.metrics.values).toMatchObject({ success: 1, iou: 1, untouchedPsnr: Infinity, backgroundPsnr: Infinity });
    expect(r.metrics.context).toEqual({ changedObjects: '2' });
    expect(r.masks.images).toHaveLength(3);
    // Nothing changed: the edit did not happen.
    const same = run({ edit: { images: [batch.images[0]!, batch.images[0]!] }, sourcePrompt: prompt(source) });
    expect(same.metrics.values.success).toBe(0);
    // Without the source prompt the kept objects are unknown: refused, naming the input.
    expect(() => run({})).toThrow(NodeRunError);
    expect(() => run({})).toThrow(expect.objectContaining({ input: 'sourcePrompt', code: 'MISSING_INPUT' }));
    // Forced to the tiny-shapes judge, the same pictures measure as one shape (no untouched figure).
    expect(run({}, { world: 'shapes' }).metrics.values).not.toHaveProperty('untouchedPsnr');
    // A reweight keeps the prompt: `expected` says what the edit should show instead.
    const kept = { target: prompt(source), sourcePrompt: prompt(source) };
    expect(run(kept).metrics.values.success).toBe(1); // nothing asked, nothing changed
    expect(run(kept, { expected: scenesCaption(edited) }).metrics.values).toMatchObject({ success: 1 });
    const undone = { ...kept, edit: { images: [batch.images[0]!, batch.images[0]!] } };
    expect(run(undone, { expected: scenesCaption(edited) }).metrics.values.success).toBe(0);
    // A background swap: success checks the background, and there is no background left to compare.
    const white: Scene = { ...source, background: 'white' };
    const swapped = run({
      edit: { images: [batch.images[0]!, renderScenesImage(white).image] },
      target: prompt(white),
      sourcePrompt: prompt(source),
    });
    expect(swapped.metrics.values.success).toBe(1);
    expect(swapped.metrics.values).not.toHaveProperty('backgroundPsnr');
    expect(swapped.metrics.context).toEqual({ changedObjects: 'none', backgroundChanged: 'yes' });
  });
});
