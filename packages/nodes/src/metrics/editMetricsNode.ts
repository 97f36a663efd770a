import { defineNode } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { dilateMask, measureEdit } from './editMetrics.js';
import { batchItem, maskImage } from './shapeJudgeNode.js';

export const editMetricsNode = defineNode({
  type: 'ptp.editMetrics',
  version: 1,
  title: 'Edit metrics',
  category: 'metrics',
  description:
    "Measures a tiny-shapes edit: structure IoU of source and edit foregrounds, edit success (the target prompt's colour/shape recognised), background PSNR outside the dilated masks, whole-image PSNR and SSIM.",
  output: true,
  inputs: {
    source: { type: 'IMAGE', description: 'the unedited picture (item sourceItem)' },
    edit: { type: 'IMAGE', description: 'the edited picture (item editItem); may be the same batch' },
    target: {
      type: 'PROMPT',
      description: 'the edit prompt: its colour/shape/background words are what success checks',
    },
  },
  outputs: {
    metrics: { type: 'METRICS' },
    masks: { type: 'IMAGE', description: 'source mask, edit mask, compared background' },
  },
  params: z.object({
    sourceItem: z.number().int().min(-64).max(64).default(0),
    editItem: z
      .number()
      .int()
      .min(-64)
      .max(64)
      .default(1)
      .meta({ description: 'with the edit sampler decoded: 1 = the first edit' }),
    dilate: z
      .number()
      .int()
      .min(0)
      .max(8)
      .default(1)
      .meta({ description: 'pixels the mask union grows by before comparing the background' }),
  }),
  run: ({ source, edit, target }, p) => {
    const a = batchItem(source, p.sourceItem, 'source', 'sourceItem');
    const b = batchItem(edit, p.editItem, 'edit', 'editItem');
    const m = measureEdit(a, b, target.text, { dilate: p.dilate });
    const union = m.source.mask.map((v, i) => v | m.edit.mask[i]!);
    const outside = dilateMask(union, a.width, a.height, p.dilate).map((v) => 1 - v);
    return {
      metrics: {
        kind: 'edit',
        values: { ...m.values },
        context: {
          sourceColour: m.source.colour ?? 'none',
          sourceShape: m.source.shape ?? 'none',
          editColour: m.edit.colour ?? 'none',
          editShape: m.edit.shape ?? 'none',
        },
      },
      masks: {
        images: [
          maskImage(m.source.mask, a.width, a.height),
          maskImage(m.edit.mask, a.width, a.height),
          maskImage(outside, a.width, a.height),
        ],
      },
    };
  },
  summarize: ({ metrics }) => ({ ...metrics.values, ...metrics.context }),
});
