import { allocLike, assertSameLength } from './allocLike';
import { computeAlphasCumprod } from './betas';
import type { FloatArray, Scheduler, StepOptions } from './Scheduler';
import type { SchedulerConfig } from './SchedulerConfig';
import { ascendingTimesteps, type TimestepSpacing } from './timestepSpacing';

const f32 = Math.fround;

/** Float32 coefficients of one DDIM update, computed as diffusers' 0-dim float32 tensors. */
export interface DdimCoefficients {
  sqrtAlphaProdT: number;
  sqrtBetaProdT: number;
  sqrtAlphaProdPrev: number;
  /** sqrt(1 - alpha_prev - std_dev^2): weight of the predicted noise. */
  directionCoeff: number;
  /** eta * sqrt(variance): weight of the fresh noise. */
  stdDev: number;
}

/**
 * diffusers' DDIMScheduler (deterministic for eta = 0). Also the core of DdimInverseScheduler,
 * which runs the same update with the two alphas swapped.
 */
export class DdimScheduler implements Scheduler {
  readonly className: 'DDIMScheduler' | 'DDIMInverseScheduler' = 'DDIMScheduler';
  readonly direction: 'denoise' | 'invert' = 'denoise';
  readonly numTrainTimesteps: number;
  readonly alphasCumprod: Float32Array;
  /** alpha used past the end of the schedule (1 with set_alpha_to_one, else alphas_cumprod[0]). */
  readonly finalAlphaCumprod: number;
  readonly initNoiseSigma = 1;
  readonly predictionType: SchedulerConfig['prediction_type'];
  readonly spacing: TimestepSpacing;
  readonly stepsOffset: number;
  readonly clipSample: boolean;
  readonly clipSampleRange: number;
  numInferenceSteps: number | null = null;
  timesteps: number[] = [];

  constructor(config: SchedulerConfig) {
    if (config.thresholding) throw new Error('DDIM: dynamic thresholding (thresholding: true) is not supported');
    this.numTrainTimesteps = config.num_train_timesteps;
    this.alphasCumprod = computeAlphasCumprod(config);
    // diffusers' DDIM/DDIMInverse defaults: set_alpha_to_one and clip_sample true, leading spacing
    this.finalAlphaCumprod = (config.set_alpha_to_one ?? true) ? 1 : this.alphasCumprod[0]!;
    this.predictionType = config.prediction_type;
    this.spacing = config.timestep_spacing ?? 'leading';
    this.stepsOffset = config.steps_offset;
    this.clipSample = config.clip_sample ?? true;
    this.clipSampleRange = config.clip_sample_range;
  }

  needsNoise(eta = 0): boolean {
    return eta > 0;
  }

  setTimesteps(numInferenceSteps: number): void {
    this.timesteps = ascendingTimesteps(
      this.spacing,
      this.numTrainTimesteps,
      numInferenceSteps,
      this.stepsOffset,
    ).reverse();
    this.numInferenceSteps = numInferenceSteps;
  }

  reset(): void {
    // DDIM keeps no state between steps.
  }

  scaleModelInput<T extends FloatArray>(sample: T, _t: number): T {
    return sample.slice() as T;
  }

  /** diffusers computes prev_timestep as t - num_train_timesteps // num_inference_steps for every spacing. */
  protected stride(): number {
    if (this.numInferenceSteps === null) throw new Error('call setTimesteps before step');
    return Math.floor(this.numTrainTimesteps / this.numInferenceSteps);
  }

  protected alphaAt(t: number): number {
    const a = this.alphasCumprod[t];
    if (a === undefined || !Number.isInteger(t))
      throw new Error(`timestep ${t} is not an integer in [0, ${this.numTrainTimesteps})`);
    return a;
  }

  /** The scalar coefficients diffusers forms for timestep t (float32, same operation order). */
  coefficients(t: number, eta = 0): DdimCoefficients {
    const prevT = t - this.stride();
    const alphaT = this.alphaAt(t);
    const alphaPrev = prevT >= 0 ? this.alphaAt(prevT) : this.finalAlphaCumprod;
    const betaT = f32(1 - alphaT);
    let stdDev = 0;
    if (eta !== 0) {
      // _get_variance: (beta_prev / beta_t) * (1 - alpha_t / alpha_prev)
      const betaPrev = f32(1 - alphaPrev);
      const variance = f32(f32(betaPrev / betaT) * f32(1 - f32(alphaT / alphaPrev)));
      stdDev = f32(f32(eta) * f32(Math.sqrt(variance)));
    }
    return {
      sqrtAlphaProdT: f32(Math.sqrt(alphaT)),
      sqrtBetaProdT: f32(Math.sqrt(betaT)),
      sqrtAlphaProdPrev: f32(Math.sqrt(alphaPrev)),
      directionCoeff: f32(Math.sqrt(f32(f32(1 - alphaPrev) - f32(stdDev * stdDev)))),
      stdDev,
    };
  }

  step<T extends FloatArray>(modelOutput: FloatArray, t: number, sample: T, opts: StepOptions = {}): T {
    const eta = opts.eta ?? 0;
    assertSameLength(modelOutput, sample, 'DDIM step model output');
    if (eta < 0) throw new Error(`DDIM eta must be >= 0, got ${eta}`);
    const noise = opts.noise;
    if (eta > 0) {
      if (!noise) throw new Error('DDIM with eta > 0 needs StepOptions.noise (standard normal, sample-sized)');
      assertSameLength(noise, sample, 'DDIM variance noise');
    }
    const c = this.coefficients(t, eta);
    const out = this.update(modelOutput, sample, c);
    if (eta > 0 && noise) for (let i = 0; i < out.length; i++) out[i] = out[i]! + c.stdDev * noise[i]!;
    return out;
  }

  /**
   * Steps 3-7 of diffusers' DDIM step: predict x0 and epsilon, clip x0 if asked, then
   * x_prev = sqrt(alpha_prev) * x0 + direction * epsilon (element-wise in float64).
   */
  protected update<T extends FloatArray>(modelOutput: FloatArray, sample: T, c: DdimCoefficients): T {
    const out = allocLike(sample);
    const { sqrtAlphaProdT: sa, sqrtBetaProdT: sb, sqrtAlphaProdPrev: sap, directionCoeff: dir } = c;
    const lim = this.clipSample ? this.clipSampleRange : Infinity;
    for (let i = 0; i < out.length; i++) {
      const x = sample[i]!;
      const m = modelOutput[i]!;
      let x0: number;
      let eps: number;
      if (this.predictionType === 'epsilon') {
        x0 = (x - sb * m) / sa;
        eps = m;
      } else if (this.predictionType === 'sample') {
        x0 = m;
        eps = (x - sa * x0) / sb;
      } else {
        x0 = sa * x - sb * m;
        eps = sa * m + sb * x;
      }
      if (x0 > lim) x0 = lim;
      else if (x0 < -lim) x0 = -lim;
      out[i] = sap * x0 + dir * eps;
    }
    return out;
  }
}
