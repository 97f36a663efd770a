import { NodeRunError } from '@ptp/graph-core';
import { denoise } from '../pipeline/denoise.js';
import { checkPromptLength } from '../pipeline/checkPromptLength.js';
import { encodeText } from '../pipeline/encodeText.js';
import { randn } from '../pipeline/randn.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import type { AttentionValue, ScheduleSpec, SourceValue } from '../values.js';
import { AttentionRecorder } from './attentionRecorder.js';
import { applyBlend, localBlendMask } from './localBlendMask.js';
import { planEdits } from './planEdits.js';

export interface SampleEditsOptions {
  pack: ModelPack;
  /** A generated or inverted source (or just its settings: a fresh generation). */
  source: Pick<SourceValue, 'prompt' | 'negativeText' | 'sampling' | 'initialNoise' | 'latentDims'> &
    Partial<Pick<SourceValue, 'kind' | 'trajectory'>> & { inversion?: { method: string } };
  schedules: readonly ScheduleSpec[];
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
  /** Stop after this many UNet calls (see denoise). */
  stopAfter?: number;
  /** Ceiling for the estimated memory of one UNet call (see checkRunMemory). */
  maxMemoryBytes?: number;
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
      throw new NodeRunError(
        `edit ${e + 1} was scheduled from "${s.source.text}" but the source prompt is "${source.prompt.text}"`,
        { input: 'edits' },
      );
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
  for (let n = 0; n < N; n++)
    for (let i = 0; i < source.initialNoise.length; i++)
      latents[n * source.initialNoise.length + i] = source.initialNoise[i]! * sigma;
  const plan = planEdits(pack, source.sampling.steps, schedules);

  const recorder = new AttentionRecorder(pack, N, h, w);
  const blendGroup = recorder.blendGroup;
  if (plan.blends.some(Boolean) && !blendGroup)
    throw new NodeRunError('this model exposes no cross-attention maps, so local blend cannot run', { input: 'edits' });
  const pinned = directInversionTargets(source);

  const trajectory: Float32Array[] = [];
  let calls = 0;
  const final = await denoise({
    ...(o.maxMemoryBytes !== undefined ? { maxMemoryBytes: o.maxMemoryBytes } : {}),
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
    attentionOutputs: recorder.outputs,
    onStep: ({ index, latents: x, attention }) => {
      calls = index + 1;
      recorder.record(attention);
      let out = x;
      // Direct Inversion: the source branch is set to the inverted latent z*_{t-1}, i.e. the
      // offset z*_{t-1} - x_source is added to item 0 only. Done before local blend so that
      // outside the mask the edits follow the exact reconstruction of the real image.
      if (pinned) {
        out = x.slice();
        out.set(pinned[index]!, 0);
      }
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

  const attention: AttentionValue = recorder.value(texts);
  return { latents: final, latentDims: [N, C, h, w], trajectory, attention };
}

/**
 * The latents the source branch is pinned to after each step, for a source inverted with Direct
 * Inversion; undefined for every other source. The inverted trajectory has one latent per DDIM
 * step, so the sampler must be DDIM with the same step count (one UNet call per step).
 */
function directInversionTargets(source: SampleEditsOptions['source']): readonly Float32Array[] | undefined {
  if (source.kind !== 'inverted' || source.inversion?.method !== 'direct') return undefined;
  const t = source.trajectory ?? [];
  if (source.sampling.scheduler !== 'ddim' || t.length !== source.sampling.steps) {
    throw new NodeRunError(
      `Direct Inversion needs DDIM with one inverted latent per step; the source has ${t.length} latents for ${source.sampling.steps} ${source.sampling.scheduler} steps`,
      { input: 'source' },
    );
  }
  return t;
}

function tile(one: Float32Array, n: number): Float32Array {
  const out = new Float32Array(one.length * n);
  for (let i = 0; i < n; i++) out.set(one, i * one.length);
  return out;
}
