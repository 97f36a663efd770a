import type { ImageBatch, LatentBatch } from './image/ImageBatch.js';
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

/** A source for edits: a generated image's settings and trajectory, or (later) an inverted real image. */
export interface SourceValue {
  readonly kind: 'generated';
  readonly packId: string;
  readonly prompt: PromptValue;
  /** Text of the unconditional branch ("" unless a negative prompt is given). */
  readonly negativeText: string;
  readonly sampling: { readonly steps: number; readonly guidance: number; readonly scheduler: SchedulerKind; readonly seed: number };
  /** Initial noise [1, C, h, w] before scaling by the scheduler's initNoiseSigma. */
  readonly initialNoise: Float32Array;
  readonly latentDims: readonly [1, number, number, number];
  /** Latent after each scheduler step. */
  readonly trajectory: readonly Float32Array[];
  readonly attention: AttentionValue;
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
  }
}
