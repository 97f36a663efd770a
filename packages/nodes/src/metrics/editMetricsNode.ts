import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import '../values.js';
import { dilateMask, measureEdit } from './editMetrics.js';
import { psnr, ssim } from './imageMetrics.js';
import { measureScenesEdit } from './scenesEditMetrics.js';
import { SCENE_SIZE } from './scenesWorld.js';
import { batchItem, maskImage } from './shapeJudgeNode.js';

export const editMetricsNode = defineNode({
  type: 'ptp.editMetrics',
  version: 1,
  title: 'Edit metrics',
  category: 'metrics',
  description:
    "Measures an edit of a tiny-shapes or tiny-scenes picture: structure IoU of source and edit foregrounds, edit success (the target prompt's colour/shape recognised), background PSNR outside the dilated masks, whole-image PSNR and SSIM; on tiny-scenes also untouched PSNR (the lowest over the objects the target prompt does not change).",
  output: true,
  inputs: {
    source: { type: 'IMAGE', description: 'the unedited picture (item sourceItem)' },
    edit: { type: 'IMAGE', description: 'the edited picture (item editItem); may be the same batch' },
    target: {
      type: 'PROMPT',
      description: 'the edit prompt: its colour/shape/background words are what success checks',
    },
    sourcePrompt: {
      type: 'PROMPT',
      optional: true,
      description: 'the source prompt; tiny-scenes needs it to tell the objects the edit changes from those it keeps',
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
    world: z.enum(['auto', 'shapes', 'scenes']).default('auto').meta({
      description: 'which judge: tiny-shapes (one shape) or tiny-scenes (1-3 objects); auto: scenes for 64 px pictures',
    }),
  }),
  run: ({ source, edit, target, sourcePrompt }, p) => {
    const a = batchItem(source, p.sourceItem, 'source', 'sourceItem');
    const b = batchItem(edit, p.editItem, 'edit', 'editItem');
    if (p.world === 'scenes' || (p.world === 'auto' && a.width === SCENE_SIZE && a.height === SCENE_SIZE)) {
      if (!sourcePrompt)
        throw new NodeRunError('tiny-scenes edits need the source prompt to know which objects must stay', {
          input: 'sourcePrompt',
          code: 'MISSING_INPUT',
        });
      const m = measureScenesEdit(a, b, sourcePrompt.text, target.text, p.dilate);
      return {
        metrics: {
          kind: 'edit',
          values: {
            iou: m.structureIoU,
            success: m.editedRight ? 1 : 0,
            backgroundPsnr: m.backgroundPsnr,
            ...(m.keptPsnr.length ? { untouchedPsnr: m.keptPsnrMin } : {}),
            psnr: psnr(a, b),
            ssim: ssim(a, b),
          },
          context: { changedObjects: m.changed.map((k) => k + 1).join(',') || 'none' } as Record<string, string>,
        },
        masks: {
          images: [
            maskImage(m.masks.source, a.width, a.height),
            maskImage(m.masks.edit, a.width, a.height),
            maskImage(m.masks.outside, a.width, a.height),
          ],
        },
      };
    }
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
        } as Record<string, string>,
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
