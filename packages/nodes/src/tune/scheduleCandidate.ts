import type { RgbaImage } from '../image/ImageBatch.js';
import { measureEdit } from '../metrics/editMetrics.js';
import { measureScenesEdit } from '../metrics/scenesEditMetrics.js';
import type { ScheduleSpec } from '../values.js';
import { defaultTuneSpace, tunePresets, type Candidate, type TuneSpace } from './tuneSpace.js';
import type { ObjectiveInputs } from './tuneObjective.js';

/**
 * The Tune node's view of a candidate: the same `node.param` columns as `ptp tune` (with the
 * schedule as node "schedule" and its blend as "blend"), applied to a schedule value instead of a
 * workflow, so a candidate found by either tool reads the same and loads into the same nodes.
 */
export const SCHEDULE_NODES = { schedule: 'schedule', blend: 'blend' } as const;

export function scheduleSpace(base: ScheduleSpec): TuneSpace {
  return defaultTuneSpace(base.blend ? SCHEDULE_NODES : { schedule: SCHEDULE_NODES.schedule });
}

export function schedulePresets(base: ScheduleSpec): Record<'reference' | 'clP2p', Candidate> {
  return tunePresets(base.blend ? SCHEDULE_NODES : { schedule: SCHEDULE_NODES.schedule });
}

/** `base` with the candidate's cross, self, divisor, V injection and blend k; other fields kept. */
export function applyCandidate(base: ScheduleSpec, c: Candidate): ScheduleSpec {
  const get = (param: string) => c[`${SCHEDULE_NODES.schedule}.${param}`];
  const k = c[`${SCHEDULE_NODES.blend}.k`];
  const cross = get('cross');
  const self = get('self');
  const divisor = get('selfResolutionDivisor');
  const beta = get('vBeta');
  const window = get('vWindow');
  return {
    ...base,
    cross: cross === undefined ? base.cross : { ...base.cross, default: cross },
    ...(self !== undefined ? { self } : {}),
    ...(divisor !== undefined ? { selfResolutionDivisor: divisor } : {}),
    vInjection: {
      window: window ?? base.vInjection.window,
      beta: beta ?? base.vInjection.beta,
    },
    ...(base.blend && k !== undefined ? { blend: { ...base.blend, k } } : {}),
  };
}

export type TuneWorld = 'shapes' | 'scenes';

/** The objective's figures for one edit of `source`, judged in the pack's world. */
export function measureForObjective(
  world: TuneWorld,
  source: RgbaImage,
  edit: RgbaImage,
  schedule: ScheduleSpec,
): ObjectiveInputs {
  if (world === 'scenes') {
    const m = measureScenesEdit(source, edit, schedule.source.text, schedule.target.text);
    return {
      success: m.editedRight ? 1 : 0,
      iou: m.structureIoU,
      ...(m.backgroundChanged ? {} : { backgroundPsnr: m.backgroundPsnr }),
      ...(m.keptPsnr.length ? { untouchedPsnr: m.keptPsnrMin } : {}),
    };
  }
  const m = measureEdit(source, edit, schedule.target.text);
  return { success: m.values.success, iou: m.values.iou, backgroundPsnr: m.values.backgroundPsnr };
}
