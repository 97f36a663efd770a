import { NodeRunError } from '@ptp/graph-core';
import { sampleEdits } from '../edit/sampleEdits.js';
import type { RgbaImage } from '../image/ImageBatch.js';
import { psnr } from '../metrics/imageMetrics.js';
import { decodeLatents } from '../pipeline/decodeLatents.js';
import { encodeImages } from '../pipeline/encodeImages.js';
import type { ModelPack } from '../runtime/InferenceBackend.js';
import type { InversionMethod, ScheduleSpec, SourceValue } from '../values.js';
import { chainMeter, type ChainTurnFigures } from './chainMeter.js';
import { invertToSource } from './invertToSource.js';

export interface RunChainOptions {
  pack: ModelPack;
  /** The original picture: an inverted real image or a generated source. */
  source: SourceValue;
  /** One schedule per turn; turn k+1 must start from turn k's target prompt. */
  turns: readonly ScheduleSpec[];
  /** The combined edit (original prompt -> last turn's target) applied in one step, for comparison. */
  combined?: ScheduleSpec;
  /** How each turn's result is inverted before the next turn. */
  method: InversionMethod;
  inverseGuidance: number;
  dilate: number;
  signal?: AbortSignal;
  progress?: (value: number, max: number) => void;
}

export interface ChainResult {
  original: RgbaImage;
  /** Turn 1..N results. */
  images: RgbaImage[];
  drift: ChainTurnFigures[];
  oneStep?: { image: RgbaImage; drift: ChainTurnFigures; vsChainPsnr: number };
}

/**
 * What is wrong with a chain of schedules, found without running it: every turn must start where
 * the previous one ended (and turn 1 where `sourceText`, when known, says the picture is), and the
 * combined edit must span the whole chain. Used by the node's static check and before sampling.
 */
export function chainProblems(
  turns: readonly ScheduleSpec[],
  combined?: ScheduleSpec,
  sourceText?: string,
): { message: string; input: 'turns' | 'combined' }[] {
  const problems: { message: string; input: 'turns' | 'combined' }[] = [];
  const first = sourceText ?? turns[0]?.source.text;
  let prompt = first;
  turns.forEach((t, k) => {
    if (prompt !== undefined && t.source.text !== prompt)
      problems.push({
        message: `turn ${k + 1} starts from "${t.source.text}" but the picture shows "${prompt}"`,
        input: 'turns',
      });
    prompt = t.target.text;
  });
  if (combined && turns.length > 0 && (combined.source.text !== first || combined.target.text !== prompt))
    problems.push({
      message: `the combined edit must go from "${first}" to "${prompt}" (got "${combined.source.text}" -> "${combined.target.text}")`,
      input: 'combined',
    });
  return problems;
}

/** Errors before any sampling (see chainProblems). */
export function checkChain(source: SourceValue, turns: readonly ScheduleSpec[], combined?: ScheduleSpec): void {
  if (turns.length === 0)
    throw new NodeRunError('connect at least one turn', { code: 'MISSING_INPUT', input: 'turns' });
  const [problem] = chainProblems(turns, combined, source.prompt.text);
  if (problem) throw new NodeRunError(problem.message, { code: 'INVALID_INPUT', input: problem.input });
}

/** The picture turn 1 edits: the real image, or the generated source decoded. */
async function originalImage(pack: ModelPack, source: SourceValue): Promise<RgbaImage> {
  if (source.kind === 'inverted') return source.image;
  const latent = source.trajectory.at(-1);
  if (!latent) throw new NodeRunError('the source has no sampled latent', { input: 'source' });
  return (await decodeLatents(pack, latent, source.latentDims)).images[0]!;
}

/** Units of progress one chain run reports: an edit per turn, an inversion per turn after the first, the one-step edit. */
export const chainPhases = (turns: number, combined: boolean): number => 2 * turns - 1 + (combined ? 1 : 0);

/**
 * A multi-turn edit chain (issue 15 part 3): turn 1 edits the source; every later turn decodes the
 * previous result, encodes it again and inverts it under the previous target prompt, as a user
 * re-editing the saved picture would, then edits it. Each turn is measured against the original
 * (`chainMeter`: the tiny-shapes or tiny-scenes figures), and the combined edit, if given, is applied
 * to the original in one step.
 * `phaseOffset`/`phaseTotal` let two chains (with and without V injection) share one progress bar.
 */
export async function runChain(o: RunChainOptions, phaseOffset = 0, phaseTotal?: number): Promise<ChainResult> {
  const { pack, source, turns } = o;
  checkChain(source, turns, o.combined);
  const S = source.sampling.steps;
  const total = (phaseTotal ?? chainPhases(turns.length, o.combined !== undefined)) * S;
  let phase = phaseOffset;
  const next = () => {
    const base = phase++ * S;
    return o.progress ? { progress: (v: number) => o.progress!(base + v, total) } : {};
  };
  const signal = o.signal ? { signal: o.signal } : {};
  const size = source.initialNoise.length;
  const editOnce = async (from: SourceValue, schedule: ScheduleSpec): Promise<RgbaImage> => {
    const run = await sampleEdits({ pack, source: from, schedules: [schedule], ...signal, ...next() });
    return (await decodeLatents(pack, run.latents.slice(size, 2 * size), source.latentDims)).images[0]!;
  };

  const original = await originalImage(pack, source);
  const meter = chainMeter(original, o.dilate);
  const images: RgbaImage[] = [];
  const drift: ChainTurnFigures[] = [];
  let previous = original;
  for (let k = 0; k < turns.length; k++) {
    const turn = turns[k]!;
    let from: SourceValue = source;
    if (k > 0) {
      // Through pixels on purpose: the drift a chain accumulates includes the VAE round trip.
      const encoded = await encodeImages(pack, { images: [previous] });
      from = await invertToSource({
        pack,
        latent: encoded.data,
        latentDims: source.latentDims,
        image: previous,
        prompt: turn.source,
        method: o.method,
        steps: S,
        guidance: source.sampling.guidance,
        inverseGuidance: o.inverseGuidance,
        ...signal,
        ...next(),
      });
    }
    const image = await editOnce(from, turn);
    images.push(image);
    drift.push(meter.turn(image, turn.source.text, turn.target.text));
    previous = image;
  }
  if (!o.combined) return { original, images, drift };
  const image = await editOnce(source, o.combined);
  const oneStep = meter.oneStep(image, o.combined.source.text, o.combined.target.text);
  return { original, images, drift, oneStep: { image, drift: oneStep, vsChainPsnr: psnr(previous, image) } };
}
