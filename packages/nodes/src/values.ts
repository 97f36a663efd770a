import type { ImageBatch, LatentBatch } from './image/ImageBatch.js';
import type { ModelPack } from './runtime/InferenceBackend.js';

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
}

export interface BlendSpec {
  /** Blend words per prompt: source words and target words (union of masks). */
  readonly sourceWords: readonly string[];
  readonly targetWords: readonly string[];
  readonly k: number;
  readonly start: number;
  readonly subtractWords: readonly string[];
}

declare module '@ptp/graph-core' {
  interface SocketValues {
    PROMPT: PromptValue;
    SCHEDULE: ScheduleSpec;
    BLEND: BlendSpec;
    MODEL: ModelPack;
    LATENT: LatentBatch;
    IMAGE: ImageBatch;
  }
}
