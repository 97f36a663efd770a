import type { ImageBatch, LatentBatch, RgbaImage } from './image/ImageBatch.js';
import type { ModelPack, SchedulerKind } from './runtime/InferenceBackend.js';

/** Values carried on the domain sockets this package defines. */
export interface PromptValue {
  readonly text: string;
  /** Space-separated words, as Prompt-to-Prompt counts them (word swap needs equal counts). */
  readonly words: readonly string[];
}

export type CrossWindow = number | readonly [number, number];

export interface ScheduleSpec {
  readonly source: PromptValue;
  readonly target: PromptValue;
  readonly mode: 'replace' | 'refine' | 'reweight';
  /** Reweight applied on top of replace or refine (the reference's chained controller). */
  readonly reweightAfter: boolean;
  readonly cross: { readonly default: CrossWindow; readonly words: Readonly<Record<string, CrossWindow>> };
  readonly self: CrossWindow;
  /** Self-attention is replaced only in layers whose side is at most latentSide / selfResolutionDivisor. */
  readonly selfResolutionDivisor: number;
  readonly vInjection: { readonly window: CrossWindow; readonly beta: number };
  readonly equalizer: Readonly<Record<string, number>>;
  /** Local blend confining this edit (optional). */
  readonly blend?: BlendSpec;
}

export interface BlendSpec {
  /** Blend words per prompt: source words and target words (union of masks). */
  readonly sourceWords: readonly string[];
  readonly targetWords: readonly string[];
  readonly k: number;
  readonly start: number;
  readonly subtractWords: readonly string[];
}

/** Cross-attention maps recorded during sampling, per resolution group. */
export interface AttentionGroupMaps {
  readonly name: string;
  /** Grid [h, w] of this group at the run's latent size. */
  readonly grid: readonly [number, number];
  /** Sum over all recorded steps, [N, h*w, T] (head- and layer-averaged, conditional half). */
  readonly sum: Float32Array;
  /** Per step, [N, h*w, T]; kept only for groups small enough to store every step. */
  readonly perStep?: readonly Float32Array[];
}

export interface AttentionValue {
  readonly packId: string;
  /** Prompt text per batch item (item 0 the source). */
  readonly prompts: readonly string[];
  /** Per item, each word with its token positions. */
  readonly words: readonly (readonly { word: string; tokenIndices: number[] }[])[];
  readonly tokenLength: number;
  /** Number of UNet calls recorded. */
  readonly steps: number;
  readonly groups: readonly AttentionGroupMaps[];
}

/** What every source carries, generated or inverted: the edit sampler reads only these. */
interface SourceBase {
  readonly packId: string;
  readonly prompt: PromptValue;
  /** Text of the unconditional branch ("" unless a negative prompt is given; the source prompt for negative-prompt inversion). */
  readonly negativeText: string;
  readonly sampling: {
    readonly steps: number;
    readonly guidance: number;
    readonly scheduler: SchedulerKind;
    readonly seed: number;
  };
  /** Initial noise [1, C, h, w] before scaling by the scheduler's initNoiseSigma. */
  readonly initialNoise: Float32Array;
  readonly latentDims: readonly [1, number, number, number];
  /**
   * Latent of the source after each scheduler step. Generated: as sampled. Inverted: the inverted
   * trajectory in sampling order (z*_{S-1} ... z*_0), which the source branch follows exactly
   * under Direct Inversion; its last entry is the encoded image.
   */
  readonly trajectory: readonly Float32Array[];
  /** Cross-attention of the source prompt (generated: while sampling; inverted: while inverting). */
  readonly attention: AttentionValue;
}

/** A source sampled from noise by Attention capture. */
export interface GeneratedSource extends SourceBase {
  readonly kind: 'generated';
}

export const INVERSION_METHODS = ['ddim', 'negative-prompt', 'direct'] as const;
export type InversionMethod = (typeof INVERSION_METHODS)[number];

/**
 * A real image inverted by DDIM (docs/algorithms.md section 6). The edit sampler takes it exactly like
 * a generated source; only `direct` changes sampling: the source branch is pinned to the inverted
 * latents after every step (the offsets of Direct Inversion), edits are left alone.
 */
export interface InvertedSource extends SourceBase {
  readonly kind: 'inverted';
  readonly inversion: {
    readonly method: InversionMethod;
    /** Guidance used while inverting (1 in the standard method). */
    readonly guidance: number;
    /** z*_0 (the encoded image) ... z*_S, in inversion order. */
    readonly latents: readonly Float32Array[];
  };
  /** The picture that was encoded (at model size): the reference for reconstruction metrics. */
  readonly image: RgbaImage;
}

/** A source for edits: a generated image's settings and trajectory, or an inverted real image. */
export type SourceValue = GeneratedSource | InvertedSource;

/** Named numbers a node measured (METRICS sockets), with how they were measured. */
export interface MetricsValue {
  /** What was measured, e.g. "cycle". */
  readonly kind: string;
  /** Metric name -> value; PSNR of identical inputs is +Infinity. */
  readonly values: Readonly<Record<string, number>>;
  /** Settings the numbers depend on (method, V injection on/off, ...). */
  readonly context?: Readonly<Record<string, string | number | boolean>>;
}

declare module '@ptp/graph-core' {
  interface SocketValues {
    PROMPT: PromptValue;
    SCHEDULE: ScheduleSpec;
    BLEND: BlendSpec;
    MODEL: ModelPack;
    SOURCE: SourceValue;
    ATTENTION: AttentionValue;
    LATENT: LatentBatch;
    IMAGE: ImageBatch;
    METRICS: MetricsValue;
  }
}
