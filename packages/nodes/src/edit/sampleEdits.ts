import { NodeRunError } from '@ptp/graph-core';
import { denoise } from '../pipeline/denoise.js';
import { checkPromptLength } from '../pipeline/checkPromptLength.js';
import { encodeText } from '../pipeline/encodeText.js';
import { randn } from '../pipeline/randn.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import type { AttentionGroupMaps, AttentionValue, ScheduleSpec, SourceValue } from '../values.js';
import { applyBlend, localBlendMask } from './localBlendMask.js';
import { planEdits } from './planEdits.js';

/** Groups with at most this many cells keep a map per step (for the viewer); larger keep sums only. */
const PER_STEP_MAX_CELLS = 32 * 32;

export interface SampleEditsOptions {
  pack: ModelPack;
  source: Pick<SourceValue, 'prompt' | 'negativeText' | 'sampling' | 'initialNoise' | 'latentDims'>;
  schedules: readonly ScheduleSpec[];
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
  /** Stop after this many UNet calls (see denoise). */
  stopAfter?: number;
}

export interface SampleEditsResult {
  /** Final latents [N, C, h, w] (item 0 the source). */
  latents: Float32Array;
  latentDims: [number, number, number, number];
  /** Latents of every item after each step (after local blend). */
  trajectory: Float32Array[];
  attention: AttentionValue;
}

/**
 * Samples the source and its edits together, one UNet call per step for the whole batch (the
 * reference semantics): controls from the schedules, cross-attention maps recorded per resolution,
 * local blend applied after each scheduler update.
 */
export async function sampleEdits(o: SampleEditsOptions): Promise<SampleEditsResult> {
  const { pack, source, schedules } = o;
  schedules.forEach((s, e) => {
    if (s.source.text !== source.prompt.text) {
      throw new NodeRunError(`edit ${e + 1} was scheduled from "${s.source.text}" but the source prompt is "${source.prompt.text}"`, { input: 'edits' });
    }
  });
  for (const s of schedules) checkPromptLength(pack, s.target.text, 'edits');
  const N = 1 + schedules.length;
  const [, C, h, w] = source.latentDims;
  const T = pack.layout.tokenLength;
  const texts = [source.prompt.text, ...schedules.map((s) => s.target.text)];
  const context = await encodeText(pack, [...texts.map(() => source.negativeText), ...texts]);
  const scheduler = pack.createScheduler(source.sampling.scheduler);
  const sigma = scheduler.initNoiseSigma;
  const latents = new Float32Array(N * source.initialNoise.length);
  for (let n = 0; n < N; n++) for (let i = 0; i < source.initialNoise.length; i++) latents[n * source.initialNoise.length + i] = source.initialNoise[i]! * sigma;
  const plan = planEdits(pack, source.sampling.steps, schedules);

  const groups = pack.layout.resolutionGroups
    .filter((g) => g.output !== null)
    .map((g) => {
      const grid: [number, number] = [Math.ceil(h / g.downsample), Math.ceil(w / g.downsample)];
      const cells = grid[0] * grid[1];
      return { name: g.name, output: g.output!, downsample: g.downsample, grid, sum: new Float32Array(N * cells * T), perStep: cells <= PER_STEP_MAX_CELLS ? ([] as Float32Array[]) : undefined };
    });
  // Local blend reads the group at latent/4 (16x16 for SD at 512 px), as the reference does.
  const blendGroup = [...groups].sort((a, b) => Math.abs(Math.log2(a.downsample / 4)) - Math.abs(Math.log2(b.downsample / 4)))[0];
  if (plan.blends.some(Boolean) && !blendGroup) throw new NodeRunError('this model exposes no cross-attention maps, so local blend cannot run', { input: 'edits' });

  const trajectory: Float32Array[] = [];
  let calls = 0;
  const final = await denoise({
    pack,
    scheduler,
    steps: source.sampling.steps,
    guidance: source.sampling.guidance,
    latents,
    latentDims: [N, C, h, w],
    context: context.data,
    contextDims: context.dims,
    controls: (index) => plan.controlsAt(index),
    // Ancestral schedulers: the same fresh noise for every item, so the source branch does not
    // depend on how many edits ride along.
    ...(scheduler.needsNoise()
      ? { stepNoise: (i: number) => tile(randn(source.initialNoise.length, (source.sampling.seed + 1 + i) >>> 0), N) }
      : {}),
    attentionOutputs: groups.map((g) => g.output),
    onStep: ({ index, latents: x, attention }) => {
      calls = index + 1;
      for (const g of groups) {
        const maps = attention[g.output]!.data as Float32Array;
        for (let i = 0; i < g.sum.length; i++) g.sum[i] = g.sum[i]! + maps[i]!;
        g.perStep?.push(maps.slice());
      }
      let out = x;
      plan.blends.forEach((b, e) => {
        if (!b || calls <= b.startAfter) return;
        if (out === x) out = x.slice(); // never mutate an array the scheduler returned
        applyBlend(out, e + 1, localBlendMask(blendGroup!.sum, blendGroup!.grid, T, e + 1, b, [h, w]), C);
      });
      trajectory.push(out);
      return out;
    },
    ...(o.signal ? { signal: o.signal } : {}),
    ...(o.progress ? { progress: o.progress } : {}),
    ...(o.stopAfter !== undefined ? { stopAfter: o.stopAfter } : {}),
  });

  const attention: AttentionValue = {
    packId: pack.id,
    prompts: texts,
    words: texts.map((t) => pack.tokenizer.tokenizeWords(t)),
    tokenLength: T,
    steps: calls,
    groups: groups.map((g): AttentionGroupMaps => ({ name: g.name, grid: g.grid, sum: g.sum, ...(g.perStep ? { perStep: g.perStep } : {}) })),
  };
  return { latents: final, latentDims: [N, C, h, w], trajectory, attention };
}

function tile(one: Float32Array, n: number): Float32Array {
  const out = new Float32Array(one.length * n);
  for (let i = 0; i < n; i++) out.set(one, i * one.length);
  return out;
}
