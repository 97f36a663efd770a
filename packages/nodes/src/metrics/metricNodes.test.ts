import { NodeRunError, type NodeContext } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import '../values.js';
import type { MetricsValue } from '../values.js';
import type { ImageBatch } from '../image/ImageBatch.js';
import { editMetricsNode } from './editMetricsNode.js';
import { shapeJudgeNode } from './shapeJudgeNode.js';
import { renderScene, type ShapeScene } from './shapesWorld.js';

const ctx = {
  nodeId: 'n',
  signal: new AbortController().signal,
  progress() {},
  log: { debug() {}, info() {}, warn() {}, error() {} },
  backend: undefined,
  workflow: undefined,
  resources: {},
} as unknown as NodeContext;
const scene: ShapeScene = { shape: 'circle', colour: 'red', background: 'white', cx: 15, cy: 16, r: 8 };
const batch = (...scenes: Partial<ShapeScene>[]): ImageBatch => ({
  images: scenes.map((s) => renderScene({ ...scene, ...s }).image),
});
const prompt = (text: string) => ({ text, words: text.split(' ') });

describe('metric nodes', () => {
  it('Edit metrics: source item 0 vs edit item 1 of one decoded batch, with the masks it compared', async () => {
    const images = batch({}, { colour: 'blue' });
    const out = (await editMetricsNode.run(
      { source: images, edit: images, target: prompt('a blue circle'), sourcePrompt: undefined },
      editMetricsNode.params.parse({}),
      ctx,
    )) as { metrics: MetricsValue; masks: ImageBatch };
    expect(out.metrics).toMatchObject({
      kind: 'edit',
      values: { iou: 1, success: 1, backgroundPsnr: Infinity },
      context: { sourceColour: 'red', editColour: 'blue', editShape: 'circle' },
    });
    expect(out.masks.images).toHaveLength(3);
  });

  it('Edit metrics: an item outside the batch is an error naming the input and param', async () => {
    const images = batch({});
    let caught: unknown;
    try {
      await editMetricsNode.run(
        { source: images, edit: images, target: prompt('a blue circle'), sourcePrompt: undefined },
        editMetricsNode.params.parse({}),
        ctx,
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NodeRunError);
    expect(caught).toMatchObject({ input: 'edit', param: 'editItem' });
  });

  it('Shape judge: labels, and per-label checks against an expected prompt', async () => {
    const out = (await shapeJudgeNode.run(
      {
        image: batch({ shape: 'triangle', background: 'black' }),
        expected: prompt('a red square on a black background'),
      },
      shapeJudgeNode.params.parse({}),
      ctx,
    )) as { metrics: MetricsValue };
    expect(out.metrics.context).toEqual({ colour: 'red', shape: 'triangle', background: 'black' });
    expect(out.metrics.values).toMatchObject({ colourOk: 1, shapeOk: 0, backgroundOk: 1 });
  });
});
