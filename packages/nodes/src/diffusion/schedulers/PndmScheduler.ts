import { allocLike, assertSameLength } from './allocLike';
import { computeAlphasCumprod } from './betas';
import type { FloatArray, Scheduler, StepOptions } from './Scheduler';
import type { SchedulerConfig } from './SchedulerConfig';
import { ascendingTimesteps, type TimestepSpacing } from './timestepSpacing';

const f32 = Math.fround;

/**
 * diffusers' PNDMScheduler. With skip_prk_steps (every Stable Diffusion config) it is PLMS:
 * a linear multistep method over the last four model outputs (`ets`), started by repeating the
 * second timestep once (its output averages with the first one's). Without skip_prk_steps the
 * first 3 * 4 steps are Runge-Kutta (PRK) steps, as in diffusers.
 */
export class PndmScheduler implements Scheduler {
  readonly className = 'PNDMScheduler' as const;
  readonly direction = 'denoise' as const;
  readonly numTrainTimesteps: number;
  readonly alphasCumprod: Float32Array;
  readonly finalAlphaCumprod: number;
  readonly initNoiseSigma = 1;
  readonly predictionType: SchedulerConfig['prediction_type'];
  readonly skipPrkSteps: boolean;
  readonly spacing: TimestepSpacing;
  readonly stepsOffset: number;
  numInferenceSteps: number | null = null;
  timesteps: number[] = [];
  prkTimesteps: number[] = [];
  // multistep state, named as in diffusers
  private ets: Float64Array[] = [];
  private counter = 0;
  private curSample: Float64Array | null = null;
  private curModelOutput: Float64Array | null = null;

  constructor(config: SchedulerConfig) {
    if (config.prediction_type === 'sample')
      throw new Error("PNDM supports prediction_type 'epsilon' and 'v_prediction' only");
    this.numTrainTimesteps = config.num_train_timesteps;
    this.alphasCumprod = computeAlphasCumprod(config);
    // diffusers' PNDM defaults: set_alpha_to_one false, skip_prk_steps false, leading spacing
    this.finalAlphaCumprod = (config.set_alpha_to_one ?? false) ? 1 : this.alphasCumprod[0]!;
    this.predictionType = config.prediction_type;
    this.skipPrkSteps = config.skip_prk_steps ?? false;
    this.spacing = config.timestep_spacing ?? 'leading';
    this.stepsOffset = config.steps_offset;
  }

  needsNoise(): boolean {
    return false;
  }

  setTimesteps(numInferenceSteps: number): void {
    const ts = ascendingTimesteps(this.spacing, this.numTrainTimesteps, numInferenceSteps, this.stepsOffset);
    if (this.skipPrkSteps) {
      // PLMS warm-up: the second-to-last ascending timestep is visited twice.
      this.prkTimesteps = [];
      this.timesteps = [...ts.slice(0, -1), ...ts.slice(-2, -1), ...ts.slice(-1)].reverse();
    } else {
      const half = Math.floor(Math.floor(this.numTrainTimesteps / numInferenceSteps) / 2);
      const prk = ts.slice(-4).flatMap((t) => [t, t + half]); // repeat(2) + tile([0, half])
      const doubled = prk
        .slice(0, -1)
        .flatMap((t) => [t, t])
        .slice(1, -1);
      this.prkTimesteps = doubled.reverse();
      this.timesteps = [...this.prkTimesteps, ...ts.slice(0, -3).reverse()];
    }
    this.numInferenceSteps = numInferenceSteps;
    this.reset();
  }

  reset(): void {
    this.ets = [];
    this.counter = 0;
    this.curSample = null;
    this.curModelOutput = null;
  }

  scaleModelInput<T extends FloatArray>(sample: T, _t: number): T {
    return sample.slice() as T;
  }

  step<T extends FloatArray>(modelOutput: FloatArray, t: number, sample: T, _opts?: StepOptions): T {
    if (this.numInferenceSteps === null) throw new Error('call setTimesteps before step');
    assertSameLength(modelOutput, sample, 'PNDM step model output');
    return this.counter < this.prkTimesteps.length && !this.skipPrkSteps
      ? this.stepPrk(modelOutput, t, sample)
      : this.stepPlms(modelOutput, t, sample);
  }

  private stride(): number {
    return Math.floor(this.numTrainTimesteps / this.numInferenceSteps!);
  }

  private stepPlms<T extends FloatArray>(modelOutput: FloatArray, t: number, sample: T): T {
    if (!this.skipPrkSteps && this.ets.length < 3) throw new Error('PNDM: PLMS step before the 12 PRK warm-up steps');
    let timestep = t;
    let prevTimestep = t - this.stride();
    const mo = Float64Array.from(modelOutput);
    if (this.counter !== 1) {
      this.ets = this.ets.slice(-3);
      this.ets.push(mo);
    } else {
      // second call on the repeated timestep: redo the first update from the saved sample
      prevTimestep = t;
      timestep = t + this.stride();
    }
    const e = this.ets;
    const n = mo.length;
    const combined = new Float64Array(n);
    let from: FloatArray = sample;
    if (e.length === 1 && this.counter === 0) {
      combined.set(mo);
      this.curSample = Float64Array.from(sample);
    } else if (e.length === 1 && this.counter === 1) {
      const e1 = e[0]!;
      for (let i = 0; i < n; i++) combined[i] = (mo[i]! + e1[i]!) / 2;
      from = this.curSample!;
      this.curSample = null;
    } else if (e.length === 2) {
      const [e2, e1] = e as [Float64Array, Float64Array];
      for (let i = 0; i < n; i++) combined[i] = (3 * e1[i]! - e2[i]!) / 2;
    } else if (e.length === 3) {
      const [e3, e2, e1] = e as [Float64Array, Float64Array, Float64Array];
      for (let i = 0; i < n; i++) combined[i] = (23 * e1[i]! - 16 * e2[i]! + 5 * e3[i]!) / 12;
    } else {
      const [e4, e3, e2, e1] = e as [Float64Array, Float64Array, Float64Array, Float64Array];
      for (let i = 0; i < n; i++) combined[i] = (1 / 24) * (55 * e1[i]! - 59 * e2[i]! + 37 * e3[i]! - 9 * e4[i]!);
    }
    const out = this.prevSample(from, timestep, prevTimestep, combined, sample);
    this.counter += 1;
    return out;
  }

  private stepPrk<T extends FloatArray>(modelOutput: FloatArray, t: number, sample: T): T {
    const diffToPrev = this.counter % 2 ? 0 : Math.floor(this.stride() / 2);
    const prevTimestep = t - diffToPrev;
    const timestep = this.prkTimesteps[Math.floor(this.counter / 4) * 4]!;
    const n = modelOutput.length;
    const cur = (this.curModelOutput ??= new Float64Array(n));
    let mo: Float64Array = Float64Array.from(modelOutput);
    const phase = this.counter % 4;
    if (phase === 0) {
      for (let i = 0; i < n; i++) cur[i] = cur[i]! + (1 / 6) * mo[i]!;
      this.ets.push(mo);
      this.curSample = Float64Array.from(sample);
    } else if (phase === 1 || phase === 2) {
      for (let i = 0; i < n; i++) cur[i] = cur[i]! + (1 / 3) * mo[i]!;
    } else {
      const done = new Float64Array(n);
      for (let i = 0; i < n; i++) done[i] = cur[i]! + (1 / 6) * mo[i]!;
      mo = done;
      this.curModelOutput = null;
    }
    const from = this.curSample ?? sample;
    const out = this.prevSample(from, timestep, prevTimestep, mo, sample);
    this.counter += 1;
    return out;
  }

  /** diffusers' _get_prev_sample: formula (9) of the PNDM paper, scalars in float32. */
  private prevSample<T extends FloatArray>(x: FloatArray, t: number, prevT: number, mo: Float64Array, like: T): T {
    const alphaT = this.alphasCumprod[t];
    if (alphaT === undefined || !Number.isInteger(t))
      throw new Error(`timestep ${t} is not an integer in [0, ${this.numTrainTimesteps})`);
    const alphaPrev = prevT >= 0 ? this.alphasCumprod[prevT]! : this.finalAlphaCumprod;
    const betaT = f32(1 - alphaT);
    const betaPrev = f32(1 - alphaPrev);
    const sampleCoeff = f32(Math.sqrt(f32(alphaPrev / alphaT)));
    const denom = f32(f32(alphaT * f32(Math.sqrt(betaPrev))) + f32(Math.sqrt(f32(f32(alphaT * betaT) * alphaPrev))));
    const diff = f32(alphaPrev - alphaT);
    const sa = f32(Math.sqrt(alphaT));
    const sb = f32(Math.sqrt(betaT));
    const out = allocLike(like);
    for (let i = 0; i < out.length; i++) {
      // v_prediction is turned into epsilon first, from the sample being updated
      const eps = this.predictionType === 'v_prediction' ? sa * mo[i]! + sb * x[i]! : mo[i]!;
      out[i] = sampleCoeff * x[i]! - (diff * eps) / denom;
    }
    return out;
  }
}
