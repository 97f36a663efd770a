export type { FloatArray, Scheduler, StepOptions } from './Scheduler';
export {
  SUPPORTED_SCHEDULER_CLASSES,
  SchedulerConfigSchema,
  parseSchedulerConfig,
  type SchedulerConfig,
  type SchedulerConfigInput,
  type SupportedSchedulerClass,
} from './SchedulerConfig';
export { computeAlphasCumprod, computeBetas, cumprodFloat32, torchLinspaceFloat32, type BetaConfig } from './betas';
export { DdimScheduler, type DdimCoefficients } from './DdimScheduler';
export { DdimInverseScheduler } from './DdimInverseScheduler';
export { PndmScheduler } from './PndmScheduler';
export { EulerScheduler } from './EulerScheduler';
export { createScheduler, isSupportedSchedulerClass, type CreateSchedulerOptions } from './createScheduler';
