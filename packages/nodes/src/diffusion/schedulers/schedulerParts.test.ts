import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { computeAlphasCumprod, computeBetas, torchLinspaceFloat32 } from './betas';
import { createScheduler } from './createScheduler';
import { DdimInverseScheduler } from './DdimInverseScheduler';
import { DdimScheduler } from './DdimScheduler';
import { EulerScheduler } from './EulerScheduler';
import { np } from './numpyCompat';
import { PndmScheduler } from './PndmScheduler';
import { parseSchedulerConfig } from './SchedulerConfig';

/** The toy Stable Diffusion pack's scheduler_config.json (SD 1.x betas, PLMS only). */
const SD1_PNDM = {
  _class_name: 'PNDMScheduler',
  num_train_timesteps: 1000,
  beta_start: 0.00085,
  beta_end: 0.012,
  beta_schedule: 'scaled_linear',
  steps_offset: 1,
  set_alpha_to_one: false,
  skip_prk_steps: true,
  prediction_type: 'epsilon',
  timestep_spacing: 'leading',
};

const golden = JSON.parse(
  readFileSync(new URL('../../../../../fixtures/schedulers/diffusers-trajectories.json', import.meta.url), 'utf8'),
) as { x0: number[]; c: number[]; cases: { name: string; steps: { prev_sample: number[] }[] }[] };

const ramp = (n: number, scale = 1): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * scale);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('SchedulerConfig', () => {
  it('fills diffusers defaults, keeps unknown keys and leaves class-dependent keys to the class', () => {
    const c = parseSchedulerConfig({ _class_name: 'DDIMScheduler', _diffusers_version: '0.8.0', some_future_key: 3 });
    expect(c).toMatchObject({ num_train_timesteps: 1000, beta_start: 0.0001, beta_end: 0.02, beta_schedule: 'linear' });
    expect(c).toMatchObject({ trained_betas: null, steps_offset: 0, prediction_type: 'epsilon', some_future_key: 3 });
    expect(c.set_alpha_to_one).toBeUndefined();
    expect(c.timestep_spacing).toBeUndefined();
  });

  it('maps the old predict_epsilon flag and reports every problem at once', () => {
    expect(parseSchedulerConfig({ predict_epsilon: false }).prediction_type).toBe('sample');
    try {
      parseSchedulerConfig({ beta_schedule: 'cosine', steps_offset: -1, prediction_type: 'x0' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ZodError);
      expect((e as ZodError).issues.map((i) => i.path[0]).sort()).toEqual([
        'beta_schedule',
        'prediction_type',
        'steps_offset',
      ]);
    }
    expect(() => parseSchedulerConfig({ num_train_timesteps: 3, trained_betas: [0.1, 0.2] })).toThrow(/trained_betas/);
  });
});

describe('createScheduler', () => {
  it('builds the class the config names and refuses unknown classes clearly', () => {
    expect(createScheduler(SD1_PNDM)).toBeInstanceOf(PndmScheduler);
    expect(() => createScheduler({ ...SD1_PNDM, _class_name: 'LMSDiscreteScheduler' })).toThrow(
      /LMSDiscreteScheduler.*not supported.*DDIMScheduler/,
    );
    expect(() => createScheduler({ beta_start: 0.001 })).toThrow(/_class_name/);
  });

  it("runs DDIM on a PNDM pack like DDIMScheduler.from_config: the pack's betas and offsets, DDIM's defaults", () => {
    const ddim = createScheduler(SD1_PNDM, { className: 'DDIMScheduler' }) as DdimScheduler;
    expect(ddim).toBeInstanceOf(DdimScheduler);
    expect(ddim.finalAlphaCumprod).toBe(ddim.alphasCumprod[0]); // set_alpha_to_one false from the pack
    expect(ddim.clipSample).toBe(true); // the pack does not say, so DDIM's default applies
    const noClip = createScheduler(SD1_PNDM, { className: 'DDIMScheduler', overrides: { clip_sample: false } });
    noClip.setTimesteps(10);
    expect(noClip.timesteps).toEqual([901, 801, 701, 601, 501, 401, 301, 201, 101, 1]);
    // same trajectory as diffusers' DDIM golden (whose config matches the pack's)
    let x = Float64Array.from(golden.x0);
    const steps = golden.cases.find((c) => c.name === 'ddim-sd15-10')!.steps;
    noClip.timesteps.forEach((t, k) => {
      const mo = x.map((v, i) => 0.5 * Math.tanh(v) + (t / 1000) * golden.c[i]!);
      x = noClip.step(mo, t, x);
      expect(maxDiff(x, steps[k]!.prev_sample)).toBeLessThan(1e-9);
    });
  });
});

describe('timestep schedules', () => {
  it('rounds half to even like numpy, for linspace spacing', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 832.5, 2.4999].map(np.round)).toEqual([0, 2, 2, -0, -2, 832, 2]);
    const ddim = new DdimScheduler(parseSchedulerConfig({ ...SD1_PNDM, timestep_spacing: 'linspace' }));
    ddim.setTimesteps(7);
    expect(ddim.timesteps).toEqual([999, 832, 666, 500, 333, 166, 0]);
  });

  it('gives trailing timesteps for DDIM and Euler, and fractional float32 linspace timesteps for Euler', () => {
    const ddim = new DdimScheduler(parseSchedulerConfig({ ...SD1_PNDM, timestep_spacing: 'trailing' }));
    ddim.setTimesteps(7);
    expect(ddim.timesteps).toEqual([999, 856, 713, 570, 428, 285, 142]);
    const euler = new EulerScheduler(parseSchedulerConfig(SD1_PNDM));
    euler.setTimesteps(7);
    expect(euler.timesteps).toEqual([853, 711, 569, 427, 285, 143, 1]);
    expect(euler.initNoiseSigma).toBe(Math.fround(Math.sqrt(Math.fround(Math.fround(euler.sigmas[0]! ** 2) + 1))));
    const lin = new EulerScheduler(parseSchedulerConfig({ ...SD1_PNDM, timestep_spacing: 'linspace' }));
    lin.setTimesteps(50);
    expect(lin.timesteps[1]).toBe(Math.fround(48 * (999 / 49)));
    expect(lin.sigmas).toHaveLength(51);
    expect(lin.sigmas[50]).toBe(0);
  });

  it('builds PNDM Runge-Kutta warm-up timesteps when skip_prk_steps is false', () => {
    const p = new PndmScheduler(parseSchedulerConfig({ ...SD1_PNDM, skip_prk_steps: false }));
    p.setTimesteps(7);
    expect(p.timesteps).toEqual([853, 782, 782, 711, 711, 640, 640, 569, 569, 498, 498, 427, 427, 285, 143, 1]);
    let x = ramp(16);
    for (const t of p.timesteps)
      x = p.step(
        x.map((v) => 0.5 * Math.tanh(v)),
        t,
        x,
      );
    expect(x.every(Number.isFinite)).toBe(true);
  });

  it('validates the number of steps', () => {
    const d = createScheduler(SD1_PNDM, { className: 'DDIMScheduler' });
    expect(() => d.setTimesteps(0)).toThrow(/positive integer/);
    expect(() => d.setTimesteps(1001)).toThrow(/cannot exceed/);
    expect(() => d.step(new Float32Array(4), 901, new Float32Array(4))).toThrow(/setTimesteps/);
  });
});

describe('betas', () => {
  it('keeps float32 endpoints and the diffusers shape of each schedule', () => {
    const l = torchLinspaceFloat32(0.1, 0.7, 1000);
    expect(l[0]).toBe(Math.fround(0.1));
    expect(l[999]).toBe(Math.fround(0.7));
    const base = {
      num_train_timesteps: 1000,
      beta_start: 0.00085,
      beta_end: 0.012,
      trained_betas: null,
      rescale_betas_zero_snr: false,
    };
    const scaled = computeBetas({ ...base, beta_schedule: 'scaled_linear' });
    expect(scaled[0]).toBeCloseTo(0.00085, 8);
    expect(scaled[999]).toBeCloseTo(0.012, 8);
    const cosine = computeBetas({ ...base, beta_schedule: 'squaredcos_cap_v2' });
    expect(cosine[999]).toBe(Math.fround(0.999));
    expect(cosine.every((b, i) => i === 0 || b >= cosine[i - 1]!)).toBe(true);
    const trained = computeBetas({
      ...base,
      num_train_timesteps: 3,
      beta_schedule: 'linear',
      trained_betas: [0.1, 0.2, 0.3],
    });
    expect(Array.from(trained)).toEqual([0.1, 0.2, 0.3].map(Math.fround));
  });

  it('rescales to zero terminal SNR (DDIM keeps abar = 0, Euler nudges it to 2^-24)', () => {
    const cfg = parseSchedulerConfig({ ...SD1_PNDM, rescale_betas_zero_snr: true, prediction_type: 'v_prediction' });
    expect(computeAlphasCumprod(cfg)[999]).toBe(0);
    const euler = new EulerScheduler(cfg);
    expect(euler.alphasCumprod[999]).toBe(2 ** -24);
    euler.setTimesteps(10);
    expect(Number.isFinite(euler.initNoiseSigma)).toBe(true);
  });
});

describe('steps', () => {
  const cfg = parseSchedulerConfig({ ...SD1_PNDM, clip_sample: false });

  it('keeps the array type and never mutates inputs', () => {
    const d = new DdimScheduler(cfg);
    d.setTimesteps(10);
    const x = new Float32Array(ramp(8));
    const before = x.slice();
    const scaled = d.scaleModelInput(x, 901);
    expect(scaled).toBeInstanceOf(Float32Array);
    expect(scaled).not.toBe(x);
    expect(d.step(new Float32Array(8), 901, x)).toBeInstanceOf(Float32Array);
    expect(x).toEqual(before);
  });

  it('DDIM with eta adds eta * sigma_t * noise and demands the noise', () => {
    const d = new DdimScheduler(cfg);
    d.setTimesteps(10);
    const x = ramp(8);
    const eps = ramp(8, 0.5);
    expect(d.needsNoise(0.5)).toBe(true);
    expect(() => d.step(eps, 501, x, { eta: 0.5 })).toThrow(/noise/);
    const noise = ramp(8, 2);
    const withNoise = d.step(eps, 501, x, { eta: 1, noise });
    const plainEta = d.step(eps, 501, x, { eta: 1, noise: new Float64Array(8) });
    const [at, ap] = [d.alphasCumprod[501]!, d.alphasCumprod[401]!];
    const sigma = Math.sqrt(((1 - ap) / (1 - at)) * (1 - at / ap)); // formula (16) of the DDIM paper
    for (let i = 0; i < 8; i++) expect(withNoise[i]! - plainEta[i]!).toBeCloseTo(sigma * noise[i]!, 6);
  });

  it('DDIM inversion and the DDIM step undo each other for the same noise prediction', () => {
    const inv = new DdimInverseScheduler(cfg);
    const fwd = new DdimScheduler(cfg);
    inv.setTimesteps(10);
    fwd.setTimesteps(10);
    expect(inv.timesteps).toEqual([...fwd.timesteps].reverse());
    const x = ramp(16);
    const eps = ramp(16, 0.3);
    const up = inv.step(eps, 501, x); // x at 401 -> x at 501
    expect(maxDiff(fwd.step(eps, 501, up), x)).toBeLessThan(1e-12);
  });

  it('Euler ancestral demands noise; Euler refuses timesteps outside its schedule', () => {
    const a = new EulerScheduler(cfg, { ancestral: true });
    a.setTimesteps(10);
    const x = ramp(4);
    expect(() => a.step(x, a.timesteps[0]!, x)).toThrow(/noise/);
    const e = new EulerScheduler(cfg);
    e.setTimesteps(10);
    expect(() => e.scaleModelInput(x, 500.5)).toThrow(/not in this schedule/);
  });

  it('reset() lets PNDM and Euler run the same chain again identically', () => {
    for (const s of [new PndmScheduler(cfg), new EulerScheduler(cfg)]) {
      s.setTimesteps(12);
      const run = () => {
        let x = ramp(32, s.initNoiseSigma);
        for (const t of s.timesteps) x = s.step(s.scaleModelInput(x, t).map(Math.tanh), t, x);
        return x;
      };
      const first = run();
      s.reset();
      expect(run()).toEqual(first);
    }
  });
});
