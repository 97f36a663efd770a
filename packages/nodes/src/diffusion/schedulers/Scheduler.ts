import type { SupportedSchedulerClass } from './SchedulerConfig';

/**
 * Flat latent data. Pipelines use Float32Array; Float64Array is accepted so a caller (or a test
 * against float64 goldens) can keep full precision. Results have the sample's array type.
 */
export type FloatArray = Float32Array | Float64Array;

export interface StepOptions {
  /**
   * Standard-normal noise, same length as the sample: required by Euler ancestral and by DDIM
   * with eta > 0 (diffusers' `variance_noise`). This package draws no random numbers itself.
   */
  noise?: FloatArray;
  /** DDIM only: weight of the stochastic part (0 = deterministic DDIM). */
  eta?: number;
}

/**
 * A diffusers-compatible scheduler over flat latents. Scalar coefficients are computed in
 * float32 exactly as diffusers does (its alphas/sigmas are float32 tensors); per-element
 * arithmetic runs in float64 and is rounded once when stored into the result array.
 */
export interface Scheduler {
  /** diffusers class whose formulas this instance follows. */
  readonly className: SupportedSchedulerClass;
  /** 'denoise' walks timesteps downward; 'invert' (DDIM inversion) walks them upward. */
  readonly direction: 'denoise' | 'invert';
  readonly numTrainTimesteps: number;
  /** float32 cumulative product of alphas, as diffusers computes it (length numTrainTimesteps). */
  readonly alphasCumprod: Float32Array;
  /** Number of inference steps of the last setTimesteps call; null before the first. */
  readonly numInferenceSteps: number | null;
  /** The timesteps to call step() with, in order (PNDM repeats one, as diffusers does). */
  readonly timesteps: number[];
  /** Scale of the initial noise: the starting latent is noise * initNoiseSigma. */
  readonly initNoiseSigma: number;
  /** Whether step() needs StepOptions.noise (with the given eta for DDIM). */
  needsNoise(eta?: number): boolean;
  /** Prepares the timestep schedule; also resets multistep state. */
  setTimesteps(numInferenceSteps: number): void;
  /** The UNet input for this timestep (Euler divides by sqrt(sigma^2 + 1); others copy). */
  scaleModelInput<T extends FloatArray>(sample: T, t: number): T;
  /** One update: returns the next sample (x_{t-1}; x_{t+1} for inversion). Never mutates inputs. */
  step<T extends FloatArray>(modelOutput: FloatArray, t: number, sample: T, opts?: StepOptions): T;
  /** Forgets multistep state (PNDM history, Euler step index) without changing timesteps. */
  reset(): void;
}
