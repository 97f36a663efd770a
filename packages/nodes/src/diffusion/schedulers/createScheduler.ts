import { DdimInverseScheduler } from './DdimInverseScheduler';
import { DdimScheduler } from './DdimScheduler';
import { EulerScheduler } from './EulerScheduler';
import { PndmScheduler } from './PndmScheduler';
import type { Scheduler } from './Scheduler';
import {
  SUPPORTED_SCHEDULER_CLASSES,
  parseSchedulerConfig,
  type SchedulerConfigInput,
  type SupportedSchedulerClass,
} from './SchedulerConfig';

export interface CreateSchedulerOptions {
  /**
   * Run this class instead of the config's `_class_name`, like diffusers'
   * `DDIMScheduler.from_config(pack_config)`: the pack's betas, offsets and spacing are kept,
   * and keys the config lacks take the new class's defaults (e.g. a PNDM config without
   * `clip_sample` gives DDIM clip_sample = true, as in diffusers; override it if unwanted).
   */
  className?: SupportedSchedulerClass;
  /** Config keys to replace before building (e.g. `{ clip_sample: false }`). */
  overrides?: Partial<SchedulerConfigInput>;
}

export function isSupportedSchedulerClass(name: string): name is SupportedSchedulerClass {
  return (SUPPORTED_SCHEDULER_CLASSES as readonly string[]).includes(name);
}

/** Builds a scheduler from a scheduler_config.json object (raw JSON or a parsed SchedulerConfig). */
export function createScheduler(config: unknown, opts: CreateSchedulerOptions = {}): Scheduler {
  const base = config !== null && typeof config === 'object' ? (config as Record<string, unknown>) : {};
  const parsed = parseSchedulerConfig(opts.overrides ? { ...base, ...opts.overrides } : config);
  const name = opts.className ?? parsed._class_name;
  if (name === undefined) throw new Error('scheduler config has no _class_name; pass className');
  if (!isSupportedSchedulerClass(name)) {
    throw new Error(`scheduler class "${name}" is not supported; supported: ${SUPPORTED_SCHEDULER_CLASSES.join(', ')}`);
  }
  switch (name) {
    case 'DDIMScheduler':
      return new DdimScheduler(parsed);
    case 'DDIMInverseScheduler':
      return new DdimInverseScheduler(parsed);
    case 'PNDMScheduler':
      return new PndmScheduler(parsed);
    case 'EulerDiscreteScheduler':
      return new EulerScheduler(parsed);
    case 'EulerAncestralDiscreteScheduler':
      return new EulerScheduler(parsed, { ancestral: true });
  }
}
