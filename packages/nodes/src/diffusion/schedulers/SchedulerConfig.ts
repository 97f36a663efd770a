import { z } from 'zod';

/** Scheduler classes this package can run (createScheduler); a config may name any other. */
export const SUPPORTED_SCHEDULER_CLASSES = [
  'DDIMScheduler',
  'DDIMInverseScheduler',
  'PNDMScheduler',
  'EulerDiscreteScheduler',
  'EulerAncestralDiscreteScheduler',
] as const;
export type SupportedSchedulerClass = (typeof SUPPORTED_SCHEDULER_CLASSES)[number];

/**
 * `scheduler/scheduler_config.json` as diffusers writes it.
 *
 * Defaults shared by every diffusers scheduler class are filled in here. Keys whose diffusers
 * default depends on the class (`set_alpha_to_one`: DDIM true / PNDM false, `clip_sample`,
 * `skip_prk_steps`, `timestep_spacing`: leading for DDIM/PNDM, linspace for Euler) stay
 * `undefined` when absent and each scheduler applies its own class default, exactly as
 * `XScheduler.from_config(config)` does. Unknown keys are kept (diffusers ignores them too).
 */
const SchedulerConfigObject = z.looseObject({
  // Any string: a pack may name a class we cannot run; createScheduler refuses it clearly.
  _class_name: z.string().optional(),
  _diffusers_version: z.string().optional(),
  num_train_timesteps: z.number().int().min(2).default(1000),
  beta_start: z.number().positive().default(0.0001),
  beta_end: z.number().positive().default(0.02),
  beta_schedule: z.enum(['linear', 'scaled_linear', 'squaredcos_cap_v2']).default('linear'),
  trained_betas: z.array(z.number().min(0).max(1)).nullable().default(null),
  steps_offset: z.number().int().min(0).default(0),
  prediction_type: z.enum(['epsilon', 'v_prediction', 'sample']).default('epsilon'),
  rescale_betas_zero_snr: z.boolean().default(false),
  // class-dependent defaults (see above)
  set_alpha_to_one: z.boolean().optional(),
  skip_prk_steps: z.boolean().optional(),
  clip_sample: z.boolean().optional(),
  timestep_spacing: z.enum(['leading', 'trailing', 'linspace']).optional(),
  clip_sample_range: z.number().positive().default(1.0),
  thresholding: z.boolean().default(false),
  dynamic_thresholding_ratio: z.number().default(0.995),
  sample_max_value: z.number().default(1.0),
  // Euler family
  interpolation_type: z.enum(['linear', 'log_linear']).default('linear'),
  use_karras_sigmas: z.boolean().nullable().default(false),
  use_exponential_sigmas: z.boolean().nullable().default(false),
  use_beta_sigmas: z.boolean().nullable().default(false),
  sigma_min: z.number().nullable().default(null),
  sigma_max: z.number().nullable().default(null),
  timestep_type: z.enum(['discrete', 'continuous']).default('discrete'),
  final_sigmas_type: z.enum(['zero', 'sigma_min']).default('zero'),
});

export const SchedulerConfigSchema = z
  .preprocess((raw) => {
    // diffusers < 0.10 wrote `predict_epsilon` instead of `prediction_type`; it still maps it.
    if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
      const obj = raw as Record<string, unknown>;
      if (obj.prediction_type === undefined && typeof obj.predict_epsilon === 'boolean') {
        return { ...obj, prediction_type: obj.predict_epsilon ? 'epsilon' : 'sample' };
      }
    }
    return raw;
  }, SchedulerConfigObject)
  .refine((c) => c.trained_betas === null || c.trained_betas.length === c.num_train_timesteps, {
    message: 'trained_betas must have num_train_timesteps entries',
    path: ['trained_betas'],
  });

export type SchedulerConfig = z.infer<typeof SchedulerConfigSchema>;
/** What a caller may pass before defaults are applied (e.g. overrides for createScheduler). */
export type SchedulerConfigInput = z.input<typeof SchedulerConfigObject>;

/** Parses a scheduler_config.json object; throws a ZodError listing every problem. */
export function parseSchedulerConfig(json: unknown): SchedulerConfig {
  return SchedulerConfigSchema.parse(json);
}
