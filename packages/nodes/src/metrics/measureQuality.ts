import type { ImageBatch } from '../image/ImageBatch.js';
import { decodeLatents } from '../pipeline/decodeLatents.js';
import { denoise, type DenoiseOptions } from '../pipeline/denoise.js';
import { encodeText } from '../pipeline/encodeText.js';
import { randn } from '../pipeline/randn.js';
import type { ModelPack, SchedulerKind } from '../runtime/InferenceBackend.js';
import { judgeShapeImage } from './shapeClassifier.js';
import {
  BACKGROUND_NAMES,
  COLOUR_NAMES,
  seededUniform,
  shapesCaption,
  SHAPES,
  type BackgroundName,
  type ColourName,
  type ShapeName,
} from './shapesWorld.js';

/**
 * How well a pack draws what it is told in the tiny-shapes world: captions "a <colour> <shape> on a
 * <background> background" are drawn in balanced rounds (every colour x shape x background once
 * per round, in a seeded order), generated `batch` at a time (one UNet call per step for the whole
 * batch: the neutral controllable UNet treats items independently), VAE-decoded and judged by
 * shapeClassifier. Sample i uses noise seed `seed + i`, so a figure is reproducible and a sample
 * does not depend on the batch size.
 */
export const QUALITY_BARS = { colour: 0.9, shape: 0.8, background: 0.95 } as const;
export type QualityLabel = keyof typeof QUALITY_BARS;

export interface QualityOptions {
  pack: ModelPack;
  samples: number;
  steps: number;
  guidance: number;
  seed: number;
  /** Prompts per UNet call (default 16). */
  batch?: number;
  scheduler?: SchedulerKind;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface QualitySample {
  caption: string;
  want: { colour: ColourName; shape: ShapeName; background: BackgroundName };
  got: { colour: ColourName | null; shape: ShapeName | null; background: BackgroundName };
  fillRatio: number;
  /** The shape shapes_world.judge() would read (mask box fill, boundaries 0.65 / 0.9). */
  boxFillShape: ShapeName | null;
}

export interface Tally {
  correct: number;
  n: number;
}

export interface QualityReport {
  pack: string;
  samples: number;
  steps: number;
  guidance: number;
  seed: number;
  scheduler: SchedulerKind;
  seconds: number;
  overall: Record<QualityLabel, Tally>;
  byColour: Record<string, Record<QualityLabel, Tally>>;
  byShape: Record<string, Record<QualityLabel, Tally>>;
  byBackground: Record<string, Record<QualityLabel, Tally>>;
  /** Prompted shape correct by the Python judge's box-fill rule, for comparison with the training log. */
  boxFillShape: Tally;
  bars: typeof QUALITY_BARS;
  pass: Record<QualityLabel, boolean>;
  items: QualitySample[];
  /** The decoded samples, in order (for a contact sheet). */
  images: ImageBatch;
}

/** Balanced, seeded caption labels: whole rounds over colour x shape x background, each round shuffled. */
export function qualityLabels(samples: number, seed: number): QualitySample['want'][] {
  const combos: QualitySample['want'][] = [];
  for (const colour of COLOUR_NAMES)
    for (const shape of SHAPES) for (const background of BACKGROUND_NAMES) combos.push({ colour, shape, background });
  const rand = seededUniform(seed ^ 0x5eed);
  const out: QualitySample['want'][] = [];
  while (out.length < samples) {
    const round = combos.slice();
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [round[i], round[j]] = [round[j]!, round[i]!];
    }
    out.push(...round.slice(0, samples - out.length));
  }
  return out;
}

const emptyTallies = (): Record<QualityLabel, Tally> => ({
  colour: { correct: 0, n: 0 },
  shape: { correct: 0, n: 0 },
  background: { correct: 0, n: 0 },
});

/**
 * Samples `captions` in one batch, caption i from the seeds o.seed + first + i (the judges' fixed
 * noise, also for ancestral schedulers' steps): [N] images in order. `extra` adds attention capture.
 */
export async function sampleCaptions(
  o: Omit<QualityOptions, 'samples'>,
  captions: string[],
  first: number,
  extra: Pick<DenoiseOptions, 'attentionOutputs' | 'onStep'> = {},
): Promise<ImageBatch> {
  const { pack } = o;
  const N = captions.length;
  const C = pack.layout.latentChannels;
  const [h, w] = pack.layout.nominalLatentSize;
  const per = C * h * w;
  const scheduler = pack.createScheduler(o.scheduler ?? 'pack');
  const context = await encodeText(pack, [...captions.map(() => ''), ...captions]);
  const noiseFor = (offset: number) => {
    const noise = new Float32Array(N * per);
    for (let i = 0; i < N; i++) noise.set(randn(per, (o.seed + first + i + offset) >>> 0), i * per);
    return noise;
  };
  const latents = noiseFor(0);
  for (let k = 0; k < latents.length; k++) latents[k]! *= scheduler.initNoiseSigma;
  const out = await denoise({
    pack,
    scheduler,
    steps: o.steps,
    guidance: o.guidance,
    latents,
    latentDims: [N, C, h, w],
    context: context.data,
    contextDims: context.dims,
    ...(scheduler.needsNoise() ? { stepNoise: (step: number) => noiseFor(1 + step * 7919) } : {}),
    ...extra,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  return decodeLatents(pack, out, [N, C, h, w]);
}

export async function measureQuality(o: QualityOptions): Promise<QualityReport> {
  const started = performance.now();
  const labels = qualityLabels(o.samples, o.seed);
  const batch = Math.max(1, o.batch ?? 16);
  const items: QualitySample[] = [];
  const images: ImageBatch['images'][number][] = [];
  for (let start = 0; start < labels.length; start += batch) {
    const chunk = labels.slice(start, start + batch);
    const captions = chunk.map((l) => shapesCaption(l));
    const decoded = await sampleCaptions(o, captions, start);
    decoded.images.forEach((im, i) => {
      const j = judgeShapeImage(im);
      const boxFillShape =
        j.shape === null ? null : j.maskFillRatio >= 0.9 ? 'square' : j.maskFillRatio >= 0.65 ? 'circle' : 'triangle';
      items.push({
        caption: captions[i]!,
        want: chunk[i]!,
        got: { colour: j.colour, shape: j.shape, background: j.background },
        fillRatio: j.fillRatio,
        boxFillShape,
      });
      images.push(im);
    });
    o.onProgress?.(items.length, labels.length);
  }
  const overall = emptyTallies();
  const byColour: QualityReport['byColour'] = {};
  const byShape: QualityReport['byShape'] = {};
  const byBackground: QualityReport['byBackground'] = {};
  for (const it of items) {
    for (const t of [
      overall,
      (byColour[it.want.colour] ??= emptyTallies()),
      (byShape[it.want.shape] ??= emptyTallies()),
      (byBackground[it.want.background] ??= emptyTallies()),
    ]) {
      for (const label of ['colour', 'shape', 'background'] as const) {
        t[label].n++;
        if (it.got[label] === it.want[label]) t[label].correct++;
      }
    }
  }
  const rate = (t: Tally) => (t.n ? t.correct / t.n : 0);
  return {
    pack: o.pack.id,
    samples: items.length,
    steps: o.steps,
    guidance: o.guidance,
    seed: o.seed,
    scheduler: o.scheduler ?? 'pack',
    seconds: (performance.now() - started) / 1000,
    overall,
    byColour,
    byShape,
    byBackground,
    boxFillShape: { correct: items.filter((it) => it.boxFillShape === it.want.shape).length, n: items.length },
    bars: QUALITY_BARS,
    pass: {
      colour: rate(overall.colour) >= QUALITY_BARS.colour,
      shape: rate(overall.shape) >= QUALITY_BARS.shape,
      background: rate(overall.background) >= QUALITY_BARS.background,
    },
    items,
    images: { images },
  };
}
