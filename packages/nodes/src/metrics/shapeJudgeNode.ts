import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import type { ImageBatch, RgbaImage } from '../image/ImageBatch.js';
import { judgeShapeImage, JUDGE_DEFAULTS } from './shapeClassifier.js';
import { parseShapesCaption } from './shapesWorld.js';

/** Item `index` of a batch (negative counts from the end), or a NodeRunError naming the input. */
export function batchItem(batch: ImageBatch, index: number, input: string, param: string): RgbaImage {
  const n = batch.images.length;
  const i = index < 0 ? n + index : index;
  const im = batch.images[i];
  if (!im)
    throw new NodeRunError(`item ${index} is outside the ${n}-image batch on "${input}"`, {
      input,
      param,
      code: 'INVALID_PARAM',
    });
  return im;
}

/** A 0/1 mask as a white-on-black picture, for viewing. */
export function maskImage(mask: Uint8Array, width: number, height: number): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < mask.length; p++) {
    const v = mask[p] ? 255 : 0;
    rgba.set([v, v, v, 255], p * 4);
  }
  return { width, height, rgba };
}

export const shapeJudgeNode = defineNode({
  type: 'ptp.shapeJudge',
  version: 1,
  title: 'Shape judge',
  category: 'metrics',
  description:
    'Reads a tiny-shapes picture: background, foreground colour and shape (bounding-box fill ratio). With an expected prompt, also whether each label it names was drawn.',
  output: true,
  inputs: {
    image: { type: 'IMAGE' },
    expected: { type: 'PROMPT', optional: true, description: 'e.g. "a red circle on a white background"' },
  },
  outputs: { metrics: { type: 'METRICS' }, mask: { type: 'IMAGE', description: 'the foreground mask' } },
  params: z.object({
    item: z
      .number()
      .int()
      .min(-64)
      .max(64)
      .default(0)
      .meta({ description: 'which image of the batch (negative: from the end)' }),
    threshold: z
      .number()
      .min(0.01)
      .max(1.5)
      .default(JUDGE_DEFAULTS.foregroundThreshold)
      .meta({ step: 0.01, description: 'RGB distance (0..1) from the background that counts as foreground' }),
  }),
  run: ({ image, expected }, p) => {
    const im = batchItem(image, p.item, 'image', 'item');
    const j = judgeShapeImage(im, { foregroundThreshold: p.threshold });
    const values: Record<string, number> = { foregroundPixels: j.foregroundPixels, fillRatio: j.fillRatio };
    if (expected) {
      const want = parseShapesCaption(expected.text);
      if (want.colour) values.colourOk = j.colour === want.colour ? 1 : 0;
      if (want.shape) values.shapeOk = j.shape === want.shape ? 1 : 0;
      if (want.background) values.backgroundOk = j.background === want.background ? 1 : 0;
    }
    return {
      metrics: {
        kind: 'shapeJudge',
        values,
        context: { colour: j.colour ?? 'none', shape: j.shape ?? 'none', background: j.background },
      },
      mask: { images: [maskImage(j.mask, im.width, im.height)] },
    };
  },
  summarize: ({ metrics }) => ({ ...metrics.values, ...metrics.context }),
});
