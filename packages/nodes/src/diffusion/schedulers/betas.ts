import type { SchedulerConfig } from './SchedulerConfig';

const f32 = Math.fround;

export type BetaConfig = Pick<
  SchedulerConfig,
  'num_train_timesteps' | 'beta_start' | 'beta_end' | 'beta_schedule' | 'trained_betas' | 'rescale_betas_zero_snr'
>;

/**
 * diffusers' `self.betas`, a float32 tensor: `torch.linspace(..., dtype=float32)` (squared for
 * scaled_linear), `betas_for_alpha_bar` for squaredcos_cap_v2, or the pack's trained betas;
 * then `rescale_zero_terminal_snr` when asked.
 */
export function computeBetas(cfg: BetaConfig): Float32Array {
  const n = cfg.num_train_timesteps;
  let betas: Float32Array;
  if (cfg.trained_betas !== null) {
    betas = Float32Array.from(cfg.trained_betas);
  } else if (cfg.beta_schedule === 'linear') {
    betas = torchLinspaceFloat32(cfg.beta_start, cfg.beta_end, n);
  } else if (cfg.beta_schedule === 'scaled_linear') {
    const roots = torchLinspaceFloat32(cfg.beta_start ** 0.5, cfg.beta_end ** 0.5, n);
    betas = roots.map((r) => r * r); // float32 `** 2` is base * base, rounded by the array
  } else {
    betas = betasForAlphaBarCosine(n);
  }
  return cfg.rescale_betas_zero_snr ? rescaleZeroTerminalSnr(betas) : betas;
}

/**
 * torch.cumprod on a float32 CPU tensor: the running product is kept in double
 * (acc_type<float> is double on CPU) and each output is rounded to float32.
 */
export function cumprodFloat32(values: Float32Array): Float32Array {
  const out = new Float32Array(values.length);
  let acc = 1;
  for (let i = 0; i < values.length; i++) {
    acc *= values[i]!;
    out[i] = acc;
  }
  return out;
}

/** alphas_cumprod = cumprod(1 - betas), all float32 like diffusers. */
export function computeAlphasCumprod(cfg: BetaConfig): Float32Array {
  const betas = computeBetas(cfg);
  return cumprodFloat32(betas.map((b) => 1 - b));
}

/**
 * torch.linspace(start, end, steps, dtype=torch.float32) on CPU, bit for bit as the goldens
 * were made: float32 step; the kernel's vector path (8 float lanes, two vectors per loop turn,
 * scalar tail) evaluates each vector's base as `start + step*idx` (first half) or
 * `end - step*(steps-idx-1)` (second half) with fused multiply-add, then `base + j*step` per
 * lane, also fused. Plain per-element evaluation differs by an ulp at many indices, which moves
 * alphas_cumprod by several ulps and DDIM steps by up to ~1e-6; this layout matches exactly.
 */
export function torchLinspaceFloat32(start: number, end: number, steps: number): Float32Array {
  const out = new Float32Array(steps);
  if (steps === 0) return out;
  const s = f32(start);
  const e = f32(end);
  if (steps === 1) {
    out[0] = s;
    return out;
  }
  const step = f32(f32(e - s) / (steps - 1));
  const halfway = Math.floor(steps / 2);
  const base = (idx: number): number => (idx < halfway ? fmaF32(step, idx, s) : fmaF32(-step, steps - idx - 1, e));
  const lanes = 8;
  let idx = 0;
  for (; idx + 2 * lanes <= steps; idx += 2 * lanes) {
    for (const v of [idx, idx + lanes]) {
      const b = base(v);
      for (let j = 0; j < lanes; j++) out[v + j] = fmaF32(j, step, b);
    }
  }
  for (; idx < steps; idx++) out[idx] = base(idx);
  return out;
}

/** Correctly rounded float32 fused multiply-add of float32 inputs (a*b is exact in double). */
function fmaF32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = f32(s);
  if (r === s) return r;
  // The double sum may sit exactly on a float32 tie while the exact sum does not: break the
  // tie with the TwoSum error term.
  const bb = s - p;
  const err = p - (s - bb) + (c - bb);
  if (err === 0) return r;
  const other = nextFloat32(r, s > r ? 1 : -1);
  if ((r + other) / 2 !== s) return r;
  return err > 0 === other > r ? other : r;
}

const bits = new Float32Array(1);
const ints = new Int32Array(bits.buffer);
function nextFloat32(x: number, dir: 1 | -1): number {
  if (x === 0) return dir * 1.401298464324817e-45;
  bits[0] = x;
  ints[0]! += x > 0 === dir > 0 ? 1 : -1;
  return bits[0]!;
}

/** diffusers' betas_for_alpha_bar (cosine): float64 math, then torch.tensor(..., float32). */
function betasForAlphaBarCosine(n: number, maxBeta = 0.999): Float32Array {
  const alphaBar = (t: number): number => Math.cos((((t + 0.008) / 1.008) * Math.PI) / 2) ** 2;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(1 - alphaBar((i + 1) / n) / alphaBar(i / n), maxBeta);
  return out;
}

/** diffusers' rescale_zero_terminal_snr, every tensor op in float32. */
function rescaleZeroTerminalSnr(betas: Float32Array): Float32Array {
  const acp = cumprodFloat32(betas.map((b) => 1 - b));
  const sqrtBar = acp.map((a) => Math.sqrt(a));
  const first = sqrtBar[0]!;
  const last = sqrtBar[sqrtBar.length - 1]!;
  const scale = f32(first / f32(first - last));
  const bar = sqrtBar.map((v) => {
    const shifted = f32(f32(v - last) * scale);
    return shifted * shifted;
  });
  const out = new Float32Array(betas.length);
  out[0] = 1 - bar[0]!;
  for (let i = 1; i < bar.length; i++) out[i] = 1 - f32(bar[i]! / bar[i - 1]!);
  return out;
}
