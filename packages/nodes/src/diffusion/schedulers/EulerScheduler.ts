import { allocLike, assertSameLength } from './allocLike';
import { computeAlphasCumprod } from './betas';
import { np } from './numpyCompat';
import type { FloatArray, Scheduler, StepOptions } from './Scheduler';
import type { SchedulerConfig } from './SchedulerConfig';
import { ascendingTimesteps, type TimestepSpacing } from './timestepSpacing';

const f32 = Math.fround;

/**
 * diffusers' EulerDiscreteScheduler, or EulerAncestralDiscreteScheduler with `ancestral`.
 * Works in sigma space: sigma_t = sqrt((1 - abar_t) / abar_t), the model sees
 * x / sqrt(sigma^2 + 1), and each step moves x along the predicted noise from sigma_i to
 * sigma_{i+1} (ancestral: to sigma_down, then adds fresh noise * sigma_up).
 */
export class EulerScheduler implements Scheduler {
  readonly className: 'EulerDiscreteScheduler' | 'EulerAncestralDiscreteScheduler';
  readonly direction = 'denoise' as const;
  readonly ancestral: boolean;
  readonly numTrainTimesteps: number;
  readonly alphasCumprod: Float32Array;
  readonly predictionType: SchedulerConfig['prediction_type'];
  readonly spacing: TimestepSpacing;
  readonly stepsOffset: number;
  readonly finalSigmasType: SchedulerConfig['final_sigmas_type'];
  /** float32 sigma for every training timestep, indexed by timestep. */
  readonly trainSigmas: Float32Array;
  numInferenceSteps: number | null = null;
  timesteps: number[] = [];
  /** float32 sigmas of the schedule, one per timestep plus the final one. */
  sigmas = new Float32Array(0);
  private stepIndex: number | null = null;

  constructor(config: SchedulerConfig, opts: { ancestral?: boolean } = {}) {
    this.ancestral = opts.ancestral ?? false;
    this.className = this.ancestral ? 'EulerAncestralDiscreteScheduler' : 'EulerDiscreteScheduler';
    const unsupported = [
      config.use_karras_sigmas && 'use_karras_sigmas',
      config.use_exponential_sigmas && 'use_exponential_sigmas',
      config.use_beta_sigmas && 'use_beta_sigmas',
      config.interpolation_type !== 'linear' && `interpolation_type ${config.interpolation_type}`,
      config.timestep_type !== 'discrete' && `timestep_type ${config.timestep_type}`,
    ].filter((x): x is string => typeof x === 'string');
    if (!this.ancestral && unsupported.length > 0)
      throw new Error(`Euler: unsupported option(s): ${unsupported.join(', ')}`);
    if (this.ancestral && config.prediction_type === 'sample')
      throw new Error("Euler ancestral does not support prediction_type 'sample'");
    this.numTrainTimesteps = config.num_train_timesteps;
    const acp = computeAlphasCumprod(config);
    // zero-terminal-SNR schedules end at abar = 0; diffusers nudges it so sigma stays finite
    if (config.rescale_betas_zero_snr) acp[acp.length - 1] = 2 ** -24;
    this.alphasCumprod = acp;
    this.trainSigmas = acp.map((a) => Math.sqrt(f32(f32(1 - a) / a)));
    this.predictionType = config.prediction_type;
    this.spacing = config.timestep_spacing ?? 'linspace';
    this.stepsOffset = config.steps_offset;
    this.finalSigmasType = this.ancestral ? 'zero' : config.final_sigmas_type;
  }

  /** Like diffusers: max sigma for linspace/trailing spacing, sqrt(max^2 + 1) for leading. */
  get initNoiseSigma(): number {
    const max =
      this.sigmas.length > 0
        ? this.sigmas.reduce((a, b) => Math.max(a, b))
        : this.trainSigmas[this.trainSigmas.length - 1]!;
    return this.spacing === 'leading' ? f32(Math.sqrt(f32(f32(max * max) + 1))) : max;
  }

  needsNoise(): boolean {
    return this.ancestral;
  }

  setTimesteps(numInferenceSteps: number): void {
    const n = this.numTrainTimesteps;
    let ts = ascendingTimesteps(this.spacing, n, numInferenceSteps, this.stepsOffset, false).reverse();
    // EulerDiscrete keeps float32 timesteps (np.float32); the ancestral variant keeps float64.
    if (!this.ancestral) ts = ts.map(f32);
    const sigmas = new Float32Array(ts.length + 1);
    ts.forEach((t, i) => (sigmas[i] = np.interpOnIndexGrid(t, this.trainSigmas)));
    sigmas[ts.length] = this.finalSigmasType === 'sigma_min' ? this.trainSigmas[0]! : 0;
    this.timesteps = ts;
    this.sigmas = sigmas;
    this.numInferenceSteps = numInferenceSteps;
    this.reset();
  }

  reset(): void {
    this.stepIndex = null;
  }

  /** diffusers' index_for_timestep: the first match, or the second when t appears twice. */
  private indexFor(t: number): number {
    const hits = this.timesteps.flatMap((x, i) => (x === t ? [i] : []));
    if (hits.length === 0)
      throw new Error(`timestep ${t} is not in this schedule (call setTimesteps and use its timesteps)`);
    return hits.length > 1 ? hits[1]! : hits[0]!;
  }

  private currentIndex(t: number): number {
    if (this.numInferenceSteps === null) throw new Error('call setTimesteps before scaleModelInput/step');
    return (this.stepIndex ??= this.indexFor(t));
  }

  scaleModelInput<T extends FloatArray>(sample: T, t: number): T {
    const sigma = this.sigmas[this.currentIndex(t)]!;
    const denom = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
    const out = allocLike(sample);
    for (let i = 0; i < out.length; i++) out[i] = sample[i]! / denom;
    return out;
  }

  step<T extends FloatArray>(modelOutput: FloatArray, t: number, sample: T, opts: StepOptions = {}): T {
    assertSameLength(modelOutput, sample, 'Euler step model output');
    const idx = this.currentIndex(t);
    if (idx + 1 >= this.sigmas.length) throw new Error('Euler: step called past the end of the schedule');
    const sigma = this.sigmas[idx]!;
    const sigmaNext = this.sigmas[idx + 1]!;
    // v-prediction: x0 = model * (-sigma / sqrt(sigma^2 + 1)) + x / (sigma^2 + 1)
    const s2p1 = f32(f32(sigma * sigma) + 1);
    const vOut = f32(-sigma / f32(Math.sqrt(s2p1)));
    let dt: number;
    let sigmaUp = 0;
    if (this.ancestral) {
      const to2 = f32(sigmaNext * sigmaNext);
      const from2 = f32(sigma * sigma);
      sigmaUp = f32(Math.sqrt(f32(f32(to2 * f32(from2 - to2)) / from2)));
      const sigmaDown = f32(Math.sqrt(f32(to2 - f32(sigmaUp * sigmaUp))));
      dt = f32(sigmaDown - sigma);
    } else {
      dt = f32(sigmaNext - sigma); // s_churn = 0, so sigma_hat = sigma
    }
    const noise = opts.noise;
    if (this.ancestral) {
      if (!noise) throw new Error('Euler ancestral needs StepOptions.noise (standard normal, sample-sized)');
      assertSameLength(noise, sample, 'Euler ancestral noise');
    }
    const out = allocLike(sample);
    for (let i = 0; i < out.length; i++) {
      const x = f32(sample[i]!); // diffusers upcasts with sample.to(float32): a float64 sample is rounded
      const m = modelOutput[i]!;
      const x0 =
        this.predictionType === 'epsilon'
          ? x - sigma * m
          : this.predictionType === 'v_prediction'
            ? m * vOut + x / s2p1
            : m;
      const derivative = (x - x0) / sigma;
      let prev = x + derivative * dt;
      if (this.ancestral && noise) prev = prev + noise[i]! * sigmaUp;
      out[i] = prev;
    }
    this.stepIndex = idx + 1;
    return out;
  }
}
