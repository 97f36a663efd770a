import type { ModelPack, Scheduler, Tensor } from '../runtime/InferenceBackend.js';
import { checkRunMemory } from './runMemory.js';
import { controlFeeds, neutralControls, type UnetControls } from './UnetControls.js';

export interface StepInfo {
  /** 0-based step index. */
  index: number;
  timestep: number;
  /** Latents after the scheduler update, [N, C, h, w] flat. */
  latents: Float32Array;
  /** Cross-attention maps of this step by output name, [N, HW, T]. */
  attention: Record<string, Tensor>;
}

export interface DenoiseOptions {
  pack: ModelPack;
  scheduler: Scheduler;
  steps: number;
  guidance: number;
  /** Initial latents [N, C, h, w], already scaled by the scheduler's initNoiseSigma. */
  latents: Float32Array;
  latentDims: readonly [number, number, number, number];
  /** Text states [2N, T, D]: unconditional half first, item 0 of each half the source. */
  context: Float32Array;
  contextDims: readonly number[];
  /** Controls for step i (default: neutral, i.e. plain sampling). */
  controls?: (index: number, timestep: number) => UnetControls;
  /** Called after each scheduler update; may return replacement latents (local blend, inversion offsets). */
  onStep?: (info: StepInfo) => Float32Array | void | Promise<Float32Array | void>;
  /** Noise for schedulers that need it (Euler ancestral). */
  stepNoise?: (index: number) => Float32Array;
  /** Which attention outputs to fetch (default none: cheaper). */
  attentionOutputs?: readonly string[];
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
  /** Stop after this many UNet calls (checks on slow runtimes); default all. */
  stopAfter?: number;
  /** Ceiling for the estimated memory of one UNet call (checkRunMemory); default 8 GiB. */
  maxMemoryBytes?: number;
}

/**
 * The sampling loop shared by text-to-image and Prompt-to-Prompt edits: one UNet call per step on
 * [x; x] with context [uncond x N; cond x N], classifier-free guidance, a scheduler update, then
 * the step callback. The controllable UNet always receives its controls (neutral when not editing).
 */
export async function denoise(o: DenoiseOptions): Promise<Float32Array> {
  const { pack, scheduler } = o;
  const [N, C, h, w] = o.latentDims;
  checkRunMemory(pack, N, h, w, o.maxMemoryBytes);
  const io = pack.layout.unet.io;
  const edits = N - 1;
  const perItem = C * h * w;
  const timestepMeta = pack.unet.inputMeta(io.timestep);
  scheduler.setTimesteps(o.steps);
  const neutral = neutralControls(pack.layout, edits);
  const outputs = [io.output, ...(o.attentionOutputs ?? [])];
  const contextTensor: Tensor = { type: 'float32', data: o.context, dims: o.contextDims };
  let latents = o.latents;
  const timesteps = scheduler.timesteps;
  const calls = Math.min(timesteps.length, o.stopAfter ?? Infinity);
  for (let i = 0; i < calls; i++) {
    if (o.signal?.aborted) throw new Error('aborted');
    const t = timesteps[i]!;
    const scaled = scheduler.scaleModelInput(latents, t);
    const doubled = new Float32Array(2 * N * perItem);
    doubled.set(scaled, 0);
    doubled.set(scaled, N * perItem);
    const feeds: Record<string, Tensor> = {
      [io.sample]: { type: 'float32', data: doubled, dims: [2 * N, C, h, w] },
      [io.timestep]: timestepTensor(t, 2 * N, timestepMeta),
      [io.encoderHiddenStates]: contextTensor,
      ...controlFeeds(pack.layout, edits, o.controls ? o.controls(i, t) : neutral),
    };
    const out = await pack.unet.run(feeds, outputs);
    const eps = out[io.output]!.data as Float32Array;
    const guided = new Float32Array(N * perItem);
    const g = o.guidance;
    for (let k = 0; k < guided.length; k++) {
      const u = eps[k]!;
      guided[k] = u + g * (eps[k + N * perItem]! - u);
    }
    latents = scheduler.step(guided, t, latents, o.stepNoise ? { noise: o.stepNoise(i) } : undefined);
    if (o.onStep) {
      const attention: Record<string, Tensor> = {};
      for (const name of o.attentionOutputs ?? []) attention[name] = out[name]!;
      const replaced = await o.onStep({ index: i, timestep: t, latents, attention });
      if (replaced) latents = replaced;
    }
    o.progress?.(i + 1, timesteps.length);
  }
  return latents;
}

/** The timestep as the UNet declares it: a scalar, [1] or [B]; float or int. */
function timestepTensor(
  t: number,
  batch: number,
  meta: { type: string; dims: readonly (number | string)[] } | undefined,
): Tensor {
  const dims = meta?.dims ?? [];
  const shape = dims.length === 0 ? [] : [dims[0] === 1 ? 1 : batch];
  const count = shape.length ? shape[0]! : 1;
  if (meta?.type === 'int64')
    return { type: 'int64', dims: shape, data: new BigInt64Array(count).fill(BigInt(Math.round(t))) };
  if (meta?.type === 'int32') return { type: 'int32', dims: shape, data: new Int32Array(count).fill(Math.round(t)) };
  return { type: 'float32', dims: shape, data: new Float32Array(count).fill(t) };
}
