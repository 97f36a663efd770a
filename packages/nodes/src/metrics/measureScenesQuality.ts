import { AttentionRecorder } from '../edit/attentionRecorder.js';
import type { ImageBatch, RgbaImage } from '../image/ImageBatch.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import { sampleCaptions, type QualityOptions, type Tally } from './measureQuality.js';
import { judgeScenesImage } from './scenesJudge.js';
import { averagedWordMap, objectWordTokens, scoreScene, thresholdIoU } from './scenesScore.js';
import { SCENE_SHAPES, sceneForSeed, scenesCaption, type Scene } from './scenesWorld.js';
import { COLOUR_NAMES } from './shapesWorld.js';

/**
 * How well a pack draws tiny-scenes captions (issue 13): seeded scenes of 1-3 objects are
 * captioned, generated `batch` at a time with the neutral controllable UNet (items independent,
 * sample i from noise seed `seed + i`), judged per object by scenesJudge and scored by scoreScene.
 * For the first `iouScenes` samples the cross-attention maps are recorded as well: for each
 * prompted object that was drawn, the map of its shape word (summed over steps, averaged over the
 * groups of at least `iouMinGrid` cells a side, thresholded at half its max) against the judged
 * object's pixels, as IoU (0 for a prompted object that was not drawn). The same overlap for its
 * colour word is reported beside it, without a bar (a model may carry an object on either word).
 */
export const SCENES_QUALITY_BARS = {
  colour: 0.9,
  shape: 0.8,
  count: 0.9,
  background: 0.95,
  attentionIoU: 0.5,
} as const;
export type ScenesQualityLabel = keyof typeof SCENES_QUALITY_BARS;
/** Counted per object or picture: the barred labels and the object size (shown, no bar). */
export type ScenesQualityCount = Exclude<ScenesQualityLabel, 'attentionIoU'> | 'size';

export interface ScenesQualityOptions extends Omit<QualityOptions, 'scheduler'> {
  scheduler?: QualityOptions['scheduler'];
  /** Samples whose attention overlap is measured (default 100). */
  iouScenes?: number;
  /** Attention groups used for the overlap: grid side >= this (default half the latent side). */
  iouMinGrid?: number;
}

export interface ScenesQualitySample {
  caption: string;
  scene: Scene;
  got: { background: string; objects: { colour: string; shape: string }[] };
  colour: number;
  shape: number;
  size: number;
  objects: number;
  countRight: boolean;
  backgroundRight: boolean;
  /** Per prompted object, the IoU of its shape word's map (0 when not drawn); absent beyond iouScenes. */
  iou?: number[];
  /** The same for its colour word. */
  iouColour?: number[];
}

export interface ScenesQualityReport {
  pack: string;
  samples: number;
  steps: number;
  guidance: number;
  seed: number;
  seconds: number;
  overall: Record<ScenesQualityCount, Tally>;
  attentionIoU: { mean: number; objects: number; scenes: number; groups: string[]; colourWordMean: number };
  byObjects: Record<string, Record<ScenesQualityCount, Tally>>;
  bars: typeof SCENES_QUALITY_BARS;
  pass: Record<ScenesQualityLabel, boolean>;
  items: ScenesQualitySample[];
  images: ImageBatch;
}

/** The scenes of a quality run: scene i is sceneForSeed(base + i), base derived from the seed. */
export function scenesQualityScenes(samples: number, seed: number): Scene[] {
  const base = (0x5ce0000 + seed * 7919) >>> 0;
  return Array.from({ length: samples }, (_, i) => sceneForSeed((base + i) >>> 0));
}

interface Generated {
  images: readonly RgbaImage[];
  recorder: AttentionRecorder | undefined;
}

async function generate(
  o: ScenesQualityOptions,
  captions: string[],
  first: number,
  record: boolean,
): Promise<Generated> {
  const [h, w] = o.pack.layout.nominalLatentSize;
  const recorder = record ? new AttentionRecorder(o.pack, captions.length, h, w) : undefined;
  const decoded = await sampleCaptions(
    o,
    captions,
    first,
    recorder ? { attentionOutputs: recorder.outputs, onStep: ({ attention }) => recorder.record(attention) } : {},
  );
  return { images: decoded.images, recorder };
}

function overlap(pack: ModelPack, rec: AttentionRecorder, item: number, caption: string, minGrid: number) {
  const groups = rec.groups.filter((g) => Math.min(...g.grid) >= minGrid);
  const T = pack.layout.tokenLength;
  const maps = groups.map((g) => {
    const cells = g.grid[0] * g.grid[1];
    return { grid: g.grid, maps: g.sum.subarray(item * cells * T, (item + 1) * cells * T) };
  });
  const words = pack.tokenizer.tokenizeWords(caption);
  const tokens = objectWordTokens(words, SCENE_SHAPES);
  const colourTokens = objectWordTokens(words, COLOUR_NAMES);
  return { groups: groups.map((g) => g.name), tokens, colourTokens, maps, T };
}

const emptyTallies = () => ({
  colour: { correct: 0, n: 0 },
  shape: { correct: 0, n: 0 },
  count: { correct: 0, n: 0 },
  background: { correct: 0, n: 0 },
  size: { correct: 0, n: 0 },
});

export async function measureScenesQuality(o: ScenesQualityOptions): Promise<ScenesQualityReport> {
  const started = performance.now();
  const scenes = scenesQualityScenes(o.samples, o.seed);
  const batch = Math.max(1, o.batch ?? 16);
  const iouScenes = o.iouScenes ?? 100;
  const [lh] = o.pack.layout.nominalLatentSize;
  const minGrid = o.iouMinGrid ?? Math.max(1, Math.floor(lh / 2));
  const items: ScenesQualitySample[] = [];
  const images: RgbaImage[] = [];
  let groupNames: string[] = [];
  for (let start = 0; start < scenes.length; start += batch) {
    const chunk = scenes.slice(start, start + batch);
    const captions = chunk.map(scenesCaption);
    const g = await generate(o, captions, start, start < iouScenes);
    g.images.forEach((im, i) => {
      const scene = chunk[i]!;
      const j = judgeScenesImage(im);
      const s = scoreScene(scene, j);
      const item: ScenesQualitySample = {
        caption: captions[i]!,
        scene,
        got: { background: j.background, objects: j.objects.map((x) => ({ colour: x.colour, shape: x.shape })) },
        colour: s.colour,
        shape: s.shape,
        size: s.size,
        objects: s.objects,
        countRight: s.countRight,
        backgroundRight: s.backgroundRight,
      };
      if (g.recorder && start + i < iouScenes) {
        const ov = overlap(o.pack, g.recorder, i, captions[i]!, minGrid);
        groupNames = ov.groups;
        item.iou = [];
        item.iouColour = [];
        // An object that was not drawn scores 0: its word attends to nothing that is there.
        s.assigned.forEach((obj, k) => {
          const mask = new Uint8Array(im.width * im.height);
          for (const p of obj?.indices ?? []) mask[p] = 1;
          const iou = (tokens?: number[]) =>
            obj && tokens ? thresholdIoU(averagedWordMap(ov.maps, ov.T, tokens, im.width), mask) : 0;
          item.iou!.push(iou(ov.tokens[k]));
          item.iouColour!.push(iou(ov.colourTokens[k]));
        });
      }
      items.push(item);
      images.push(im);
    });
    o.onProgress?.(items.length, scenes.length);
  }
  const overall = emptyTallies();
  const byObjects: ScenesQualityReport['byObjects'] = {};
  for (const it of items) {
    for (const t of [overall, (byObjects[`${it.objects} object${it.objects === 1 ? '' : 's'}`] ??= emptyTallies())]) {
      t.colour.correct += it.colour;
      t.colour.n += it.objects;
      t.shape.correct += it.shape;
      t.shape.n += it.objects;
      t.count.correct += it.countRight ? 1 : 0;
      t.count.n++;
      t.background.correct += it.backgroundRight ? 1 : 0;
      t.background.n++;
      t.size.correct += it.size;
      t.size.n += it.objects;
    }
  }
  const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0);
  const ious = items.flatMap((it) => it.iou ?? []);
  const meanIoU = mean(ious);
  const rate = (t: Tally) => (t.n ? t.correct / t.n : 0);
  const b = SCENES_QUALITY_BARS;
  return {
    pack: o.pack.id,
    samples: items.length,
    steps: o.steps,
    guidance: o.guidance,
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
    overall,
    attentionIoU: {
      mean: meanIoU,
      objects: ious.length,
      scenes: Math.min(iouScenes, items.length),
      groups: groupNames,
      colourWordMean: mean(items.flatMap((it) => it.iouColour ?? [])),
    },
    byObjects,
    bars: b,
    pass: {
      colour: rate(overall.colour) >= b.colour,
      shape: rate(overall.shape) >= b.shape,
      count: rate(overall.count) >= b.count,
      background: rate(overall.background) >= b.background,
      attentionIoU: meanIoU >= b.attentionIoU,
    },
    items,
    images: { images },
  };
}
