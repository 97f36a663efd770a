import { assertSameLength } from './allocLike';
import { DdimScheduler, type DdimCoefficients } from './DdimScheduler';
import type { FloatArray, StepOptions } from './Scheduler';
import type { SchedulerConfig } from './SchedulerConfig';
import { ascendingTimesteps } from './timestepSpacing';

const f32 = Math.fround;

/**
 * diffusers' DDIMInverseScheduler: DDIM run backwards (x_t -> x_{t+stride}) to invert a real
 * image's latent. Timesteps ascend; each step reads alpha at `t - stride` (or the initial alpha
 * when that is negative) as "current" and alpha at `t` as "next".
 *
 * With set_alpha_to_one false this is also exactly the `next_step` of the Prompt-to-Prompt /
 * null-text inversion code, which uses the DDIM scheduler's final_alpha_cumprod (alphas_cumprod[0]).
 */
export class DdimInverseScheduler extends DdimScheduler {
  override readonly className = 'DDIMInverseScheduler' as const;
  override readonly direction = 'invert' as const;

  constructor(config: SchedulerConfig) {
    super(config);
    if (this.spacing === 'linspace')
      throw new Error("DDIMInverseScheduler supports 'leading' and 'trailing' timestep_spacing only");
  }

  /** diffusers calls it initial_alpha_cumprod here: the alpha before the first timestep. */
  get initialAlphaCumprod(): number {
    return this.finalAlphaCumprod;
  }

  override needsNoise(): boolean {
    return false;
  }

  override setTimesteps(numInferenceSteps: number): void {
    this.timesteps = ascendingTimesteps(this.spacing, this.numTrainTimesteps, numInferenceSteps, this.stepsOffset);
    this.numInferenceSteps = numInferenceSteps;
  }

  override coefficients(t: number): DdimCoefficients {
    const current = Math.min(t - this.stride(), this.numTrainTimesteps - 1);
    const alphaT = current >= 0 ? this.alphaAt(current) : this.initialAlphaCumprod;
    const alphaNext = this.alphaAt(t);
    return {
      sqrtAlphaProdT: f32(Math.sqrt(alphaT)),
      sqrtBetaProdT: f32(Math.sqrt(f32(1 - alphaT))),
      sqrtAlphaProdPrev: f32(Math.sqrt(alphaNext)),
      directionCoeff: f32(Math.sqrt(f32(1 - alphaNext))),
      stdDev: 0,
    };
  }

  override step<T extends FloatArray>(modelOutput: FloatArray, t: number, sample: T, _opts?: StepOptions): T {
    assertSameLength(modelOutput, sample, 'DDIM inverse step model output');
    return this.update(modelOutput, sample, this.coefficients(t));
  }
}
