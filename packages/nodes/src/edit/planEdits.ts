import {
  crossAlphaWindows,
  equalizerVector,
  refineMapper,
  replaceMapper,
  selfReplaceSteps,
  wordTokenIndices,
} from '../p2p/index.js';
import type { UnetControls } from '../pipeline/UnetControls.js';
import { NodeRunError } from '@ptp/graph-core';
import type { ModelPack, Tokenizer, UnetLayout } from '../runtime/InferenceBackend.js';
import type { CrossWindow, ScheduleSpec } from '../values.js';

export interface BlendPlan {
  /** Token positions of the blend words in the source prompt and in this edit's prompt. */
  sourceTokens: number[];
  targetTokens: number[];
  /** Words whose mask is removed, in the source and in this edit's prompt. */
  subtractSource: number[];
  subtractTarget: number[];
  k: number;
  /** Blending starts once more than this many steps have run (reference `start_blend`). */
  startAfter: number;
}

export interface EditPlan {
  edits: number;
  /** Controls for UNet call `index` (0-based; PNDM makes S + 1 calls). */
  controlsAt(index: number): UnetControls;
  /** Per edit, its local blend or undefined. */
  blends: (BlendPlan | undefined)[];
}

/** Window (c0, c1) as the reference takes it: a bare fraction c means (0, c). */
const bounds = (w: CrossWindow): [number, number] => (typeof w === 'number' ? [0, w] : [w[0], w[1]]);

const identity = (T: number) => {
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) m[i * T + i] = 1;
  return m;
};

/** One edit's mappers, equalizer and the step windows of its self and value injection. */
function planEdit(tok: Tokenizer, T: number, steps: number, s: ScheduleSpec) {
  let mapper: Float32Array;
  let r = new Float32Array(T).fill(1);
  if (s.mode === 'replace') mapper = replaceMapper(tok, s.source.text, s.target.text, T);
  else if (s.mode === 'refine') {
    const refined = refineMapper(tok, s.source.text, s.target.text, T);
    mapper = refined.mapper;
    r = refined.alphas;
  } else mapper = identity(T);
  const eq =
    s.mode === 'reweight' || s.reweightAfter
      ? equalizerVector(tok, s.target.text, s.equalizer, T)
      : new Float32Array(T).fill(1);
  const [selfStart, selfEnd] = selfReplaceSteps(steps, s.self);
  const [v0, v1] = bounds(s.vInjection.window);
  return {
    mapper,
    r,
    eq,
    selfStart,
    selfEnd,
    vStart: Math.floor(v0 * (steps + 1)),
    vEnd: Math.floor(v1 * (steps + 1)),
    beta: s.vInjection.beta,
    divisor: s.selfResolutionDivisor,
  };
}

/** The local blend of one edit, or undefined when it has none. */
function planBlend(tok: Tokenizer, steps: number, s: ScheduleSpec): BlendPlan | undefined {
  const b = s.blend;
  if (!b) return undefined;
  const indices = (text: string, words: readonly string[]) => [
    ...new Set(words.flatMap((w) => wordTokenIndices(tok, text, w))),
  ];
  return {
    sourceTokens: indices(s.source.text, b.sourceWords),
    targetTokens: indices(s.target.text, b.targetWords),
    subtractSource: indices(
      s.source.text,
      b.subtractWords.filter((w) => s.source.words.some((x) => x.toLowerCase() === w.toLowerCase())),
    ),
    subtractTarget: indices(s.target.text, b.subtractWords),
    k: b.k,
    startAfter: Math.floor(b.start * steps),
  };
}

/**
 * A schedule that replaces self-attention in a layer the pack's import left uncontrolled (fused)
 * would silently do less than it says: refuse it, saying which divisor the pack serves.
 */
function requireControlledSelfLayers(
  pack: ModelPack,
  selfLayers: UnetLayout['layers'],
  p: { selfStart: number; selfEnd: number; divisor: number },
): void {
  if (p.selfEnd <= p.selfStart) return;
  const unreachable = selfLayers.filter((l) => l.downsample >= p.divisor && l.controlled === false);
  if (unreachable.length === 0) return;
  const needed = 2 * Math.max(...unreachable.map((l) => l.downsample));
  throw new NodeRunError(
    `self-attention replacement with selfResolutionDivisor ${p.divisor} reaches ${unreachable.length} self layer(s) at ` +
      `${[...new Set(unreachable.map((l) => l.group))].join(', ')} that pack "${pack.id}" runs fused, without controls; ` +
      `use selfResolutionDivisor >= ${needed}, or re-import the pack with \`ptp models import --no-fuse-uncontrolled\` ` +
      `(or --self-control-divisor ${p.divisor})`,
    { code: 'INVALID_PARAM', param: 'selfResolutionDivisor' },
  );
}

/**
 * Turns injection schedules into per-step control tensors of the controllable UNet, following the
 * reference controllers exactly. With `a` the time-word alpha, `r` refine's per-token alphas and
 * `eq` the equalizer, the reference computes `a * eq * (r * inj + (1 - r) * edit) + (1 - a) * edit`;
 * the UNet evaluates `alpha * eq * inj + keep * edit`, so alpha = a * r and
 * keep = 1 - a + a * eq * (1 - r) (which is 1 - a whenever r = 1).
 */
export function planEdits(pack: ModelPack, steps: number, schedules: readonly ScheduleSpec[]): EditPlan {
  const tok = pack.tokenizer;
  const { layout } = pack;
  const T = layout.tokenLength;
  const E = schedules.length;
  const perEdit = schedules.map((s) => planEdit(tok, T, steps, s));
  // [steps + 1, E, T]: one row per UNet call of a PNDM run, as the reference builds it.
  const alphaRows = crossAlphaWindows({
    steps,
    edits: schedules.map((s) => ({ targetText: s.target.text, default: s.cross.default, words: s.cross.words })),
    tokenizer: tok,
    T,
  });
  const selfLayers = layout.layers.filter((l) => l.kind === 'self').sort((a, b) => a.index - b.index);
  for (const p of perEdit) requireControlledSelfLayers(pack, selfLayers, p);
  const crossCount = layout.layers.length - selfLayers.length;

  const mapper = new Float32Array(E * T * T);
  const equalizer = new Float32Array(E * T);
  perEdit.forEach((p, e) => {
    mapper.set(p.mapper, e * T * T);
    equalizer.set(p.eq, e * T);
  });

  return {
    edits: E,
    controlsAt(index) {
      const row = Math.min(index, steps);
      const crossAlpha = new Float32Array(E * T);
      const crossKeep = new Float32Array(E * T);
      const selfAlpha = new Float32Array(E * selfLayers.length);
      const vBeta = new Float32Array(E * crossCount);
      perEdit.forEach((p, e) => {
        for (let n = 0; n < T; n++) {
          const a = alphaRows[(row * E + e) * T + n]!;
          crossAlpha[e * T + n] = a * p.r[n]!;
          crossKeep[e * T + n] = 1 - a + a * p.eq[n]! * (1 - p.r[n]!);
        }
        if (p.selfStart <= index && index < p.selfEnd) {
          // Replace self-attention only where the layer's side is at most latent / divisor.
          for (const l of selfLayers) if (l.downsample >= p.divisor) selfAlpha[e * selfLayers.length + l.index] = 1;
        }
        if (p.beta > 0 && p.vStart <= index && index < p.vEnd) vBeta.fill(p.beta, e * crossCount, (e + 1) * crossCount);
      });
      return { crossAlpha, crossMapper: mapper, equalizer, crossKeep, selfAlpha, vBeta };
    },
    blends: schedules.map((s) => planBlend(tok, steps, s)),
  };
}
