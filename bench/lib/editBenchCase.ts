/**
 * The case the edit-vs-generation benches time (`pnpm bench edit` through bench/editWorker.ts, the
 * GPU bench through bench/gpu/studioBench.ts): a pack made of the text encoder and one given UNet
 * (no VAE, which neither variant uses), text-to-image of the source and target prompts in one
 * batch (N = 2, B = 4), and the same prompts as a word swap (cat -> dog) with a local blend
 * (E = 1), reference defaults (cross 0.8, self 0.4 up to latent/4, k 0.3).
 */
import path from 'node:path';
import {
  denoise,
  encodeText,
  randn,
  sampleEdits,
  type ModelPack,
  type ModelSession,
  type ScheduleSpec,
  type Tensor,
} from '@ptp/nodes';
import { createScheduler } from '@ptp/nodes/diffusion';
import type { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { readPack } from '@ptp/runner/packs/readPack';

export const SOURCE = 'a photo of a cat riding a bicycle';
export const TARGET = 'a photo of a dog riding a bicycle';
export const GUIDANCE = 7.5;
export const SEED = 7;

export type BenchVariant = 'generation' | 'edit';

export function parseVariant(variant: string | undefined): BenchVariant {
  if (variant !== 'generation' && variant !== 'edit') throw new Error(`unknown variant ${variant}`);
  return variant;
}

export const prompt = (text: string) => ({ text, words: text.split(' ') });

/** A plain UNet has no control inputs: pass it only the feeds it declares (denoise adds neutral controls). */
export function onlyDeclared(s: ModelSession): ModelSession {
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    inputMeta: (name) => s.inputMeta(name),
    run: (feeds, outputs) =>
      s.run(
        Object.fromEntries(Object.entries(feeds).filter(([name]) => s.inputNames.includes(name))) as Record<
          string,
          Tensor
        >,
        outputs,
      ),
  };
}

const noVae: ModelSession = {
  inputNames: [],
  outputNames: [],
  inputMeta: () => undefined,
  run: () => Promise.reject(new Error('the VAE is not loaded in this benchmark')),
};

/**
 * The pack both variants run: tokenizer, scheduler, text encoder and the given UNet. `loadPack`
 * is not used: it would also load the controllable UNet into the generation process.
 */
export async function loadBenchPack(
  backend: OrtNodeBackend,
  packDir: string,
  unetFile: string,
  variant: BenchVariant,
): Promise<{ pack: ModelPack; latentChannels: number; nominalSide: number }> {
  const files = await readPack(packDir);
  const { manifest } = files;
  const [textEncoder, unetSession] = await Promise.all([
    backend.session(path.join(packDir, manifest.components.textEncoder)),
    backend.session(unetFile),
  ]);
  const pack: ModelPack = {
    id: path.basename(packDir),
    tokenizer: files.tokenizer,
    textEncoder,
    unet: variant === 'generation' ? onlyDeclared(unetSession) : unetSession,
    vaeDecoder: noVae,
    layout: manifest,
    vaeScalingFactor: files.vaeScalingFactor,
    vaeScale: files.vaeScale,
    defaultImageSize: manifest.nominalLatentSize[0] * files.vaeScale,
    createScheduler: () => createScheduler(files.schedulerConfig, {}),
  };
  return { pack, latentChannels: manifest.latentChannels, nominalSide: manifest.nominalLatentSize[0] };
}

export const wordSwapSchedule = (): ScheduleSpec => ({
  source: prompt(SOURCE),
  target: prompt(TARGET),
  mode: 'replace',
  reweightAfter: false,
  cross: { default: 0.8, words: {} },
  self: 0.4,
  selfResolutionDivisor: 4,
  vInjection: { window: 0, beta: 0 },
  equalizer: {},
  blend: { sourceWords: ['cat'], targetWords: ['dog'], k: 0.3, start: 0, subtractWords: [] },
});

export interface CaseRun {
  steps: number;
  progress?: (v: number) => void;
}

/**
 * The two variants as functions of the step count. `seed` seeds the initial noise (one latent,
 * repeated for both prompts) and the sampling; `stepNoise` (editWorker) gives stochastic
 * schedulers their per-step noise in the generation variant.
 */
export function benchCase(
  pack: ModelPack,
  options: { latentChannels: number; side: number; seed: number; maxMemoryBytes?: number; stepNoise?: boolean },
) {
  const { latentChannels: C, side, seed } = options;
  const perItem = C * side * side;
  const initialNoise = randn(perItem, seed);
  const tile = (one: Float32Array, n: number): Float32Array => {
    const out = new Float32Array(one.length * n);
    for (let i = 0; i < n; i++) out.set(one, i * one.length);
    return out;
  };

  /** Text-to-image of two prompts in one batch (N = 2, B = 4): what the edit does, without injection. */
  const generation = async ({ steps, progress }: CaseRun): Promise<Float32Array> => {
    const N = 2;
    const scheduler = pack.createScheduler('pack');
    const context = await encodeText(pack, ['', '', SOURCE, TARGET]);
    const latents = new Float32Array(N * perItem);
    for (let n = 0; n < N; n++)
      for (let i = 0; i < perItem; i++) latents[n * perItem + i] = initialNoise[i]! * scheduler.initNoiseSigma;
    return denoise({
      pack,
      scheduler,
      steps,
      guidance: GUIDANCE,
      latents,
      latentDims: [N, C, side, side],
      context: context.data,
      contextDims: context.dims,
      ...(progress ? { progress } : {}),
      ...(options.stepNoise && scheduler.needsNoise()
        ? { stepNoise: (i: number) => tile(randn(perItem, (seed + 1 + i) >>> 0), N) }
        : {}),
    });
  };

  /** One word swap with a local blend (E = 1, N = 2): attention maps fetched and blended every step. */
  const edit = async ({ steps, progress }: CaseRun): Promise<Float32Array> =>
    (
      await sampleEdits({
        pack,
        source: {
          prompt: prompt(SOURCE),
          negativeText: '',
          sampling: { steps, guidance: GUIDANCE, scheduler: 'pack', seed },
          initialNoise,
          latentDims: [1, C, side, side],
        },
        schedules: [wordSwapSchedule()],
        ...(progress ? { progress } : {}),
        ...(options.maxMemoryBytes !== undefined ? { maxMemoryBytes: options.maxMemoryBytes } : {}),
      })
    ).latents;

  return { perItem, generation, edit };
}
