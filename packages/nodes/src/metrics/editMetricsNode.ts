import { defineNode, NodeRunError } from '@ptp/graph-core';
import { z } from 'zod';
import type { RgbaImage } from '../image/ImageBatch.js';
import '../values.js';
import type { PromptValue } from '../values.js';
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
    expected: z.string().max(500).default('').meta({
      description:
        'judge the edit against this caption instead of the target prompt (a reweight keeps the prompt: say what it should draw)',
      advanced: true,
    }),
  }),
  run: ({ source, edit, target, sourcePrompt }, p) => {
    const a = batchItem(source, p.sourceItem, 'source', 'sourceItem');
    const b = batchItem(edit, p.editItem, 'edit', 'editItem');
    const scenes = p.world === 'scenes' || (p.world === 'auto' && a.width === SCENE_SIZE && a.height === SCENE_SIZE);
    const want = p.expected || target.text;
    const m = scenes
      ? measureScenes(a, b, sourcePrompt, target.text, p.dilate, p.expected)
      : measureShapes(a, b, want, p.dilate);
    return {
      metrics: { kind: 'edit', values: m.values, context: m.context },
      masks: { images: m.masks.map((mask) => maskImage(mask, a.width, a.height)) },
    };
  },
  summarize: ({ metrics }) => ({ ...metrics.values, ...metrics.context }),
});

interface Measured {
  values: Record<string, number>;
  context: Record<string, string>;
  /** Source foreground, edit foreground, the background compared (1 = compared). */
  masks: [Uint8Array, Uint8Array, Uint8Array];
}

function measureShapes(a: RgbaImage, b: RgbaImage, target: string, dilate: number): Measured {
  const m = measureEdit(a, b, target, { dilate });
  const union = m.source.mask.map((v, i) => v | m.edit.mask[i]!);
  const outside = dilateMask(union, a.width, a.height, dilate).map((v) => 1 - v);
  return {
    values: { ...m.values },
    context: {
      sourceColour: m.source.colour ?? 'none',
      sourceShape: m.source.shape ?? 'none',
      editColour: m.edit.colour ?? 'none',
      editShape: m.edit.shape ?? 'none',
    },
    masks: [m.source.mask, m.edit.mask, outside],
  };
}

function measureScenes(
  a: RgbaImage,
  b: RgbaImage,
  sourcePrompt: PromptValue | undefined,
  target: string,
  dilate: number,
  expected: string,
): Measured {
  if (!sourcePrompt)
    throw new NodeRunError('tiny-scenes edits need the source prompt to know which objects must stay', {
      input: 'sourcePrompt',
      code: 'MISSING_INPUT',
    });
  const m = measureScenesEdit(a, b, sourcePrompt.text, target, { dilate, expected });
  return {
    values: {
      iou: m.structureIoU,
      success: m.editedRight ? 1 : 0,
      // A background swap changes what this compares: no background figure, none to keep.
      ...(m.backgroundChanged ? {} : { backgroundPsnr: m.backgroundPsnr }),
      ...(m.keptPsnr.length ? { untouchedPsnr: m.keptPsnrMin } : {}),
      psnr: psnr(a, b),
      ssim: ssim(a, b),
    },
    context: {
      changedObjects: m.changed.map((k) => k + 1).join(',') || 'none',
      ...(m.backgroundChanged ? { backgroundChanged: 'yes' } : {}),
    },
    masks: [m.masks.source, m.masks.edit, m.masks.outside],
  };
}
