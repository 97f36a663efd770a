/**
 * What nodes need from the runner that executes them. Runners (onnxruntime-node, onnxruntime-web)
 * implement this; nodes never import a runtime. Kept small on purpose: sessions over plain typed
 * arrays, a tokenizer, schedulers, and the controllable-UNet layout from the pack manifest.
 */
export type TensorType = 'float32' | 'int64' | 'int32';
export type TensorData = Float32Array | BigInt64Array | Int32Array;

export interface Tensor {
  readonly type: TensorType;
  readonly dims: readonly number[];
  readonly data: TensorData;
}

export interface ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Element type and shape the model declares for an input (e.g. the UNet's `timestep`). */
  inputMeta(name: string): { type: TensorType; dims: readonly (number | string)[] } | undefined;
  run(feeds: Readonly<Record<string, Tensor>>, outputs?: readonly string[]): Promise<Record<string, Tensor>>;
}

export interface Tokenizer {
  readonly modelMaxLength: number;
  /** BOS, ids, EOS, padded to `length` (default the model's max length). */
  encodePadded(text: string, length?: number): number[];
  /** Each space-separated word of `text` with the positions of its tokens in the padded sequence. */
  tokenizeWords(text: string): { word: string; tokenIndices: number[] }[];
}

type FloatArray = Float32Array | Float64Array;

/** The diffusers-compatible scheduler surface the samplers use. */
export interface Scheduler {
  readonly timesteps: number[];
  readonly initNoiseSigma: number;
  readonly alphasCumprod: Float32Array;
  needsNoise(eta?: number): boolean;
  setTimesteps(numInferenceSteps: number): void;
  scaleModelInput<T extends FloatArray>(sample: T, t: number): T;
  step<T extends FloatArray>(
    modelOutput: FloatArray,
    t: number,
    sample: T,
    opts?: { noise?: FloatArray; eta?: number },
  ): T;
}

export const SCHEDULER_KINDS = ['pack', 'pndm', 'ddim', 'euler', 'euler-ancestral'] as const;
export type SchedulerKind = (typeof SCHEDULER_KINDS)[number];

/** The controllable UNet's layout, as the pack manifest records it. */
export interface UnetLayout {
  readonly tokenLength: number;
  readonly latentChannels: number;
  readonly nominalLatentSize: readonly [number, number];
  readonly unet: {
    readonly io: {
      readonly sample: string;
      readonly timestep: string;
      readonly encoderHiddenStates: string;
      readonly output: string;
    };
  };
  readonly layers: readonly {
    readonly id: string;
    readonly kind: 'self' | 'cross';
    readonly index: number;
    readonly downsample: number;
    readonly group: string;
    /** False when no control reaches the layer (fused at import); absent means controlled. */
    readonly controlled?: boolean;
  }[];
  readonly resolutionGroups: readonly {
    readonly name: string;
    readonly output: string | null;
    readonly downsample: number;
    readonly crossLayers: readonly string[];
    readonly selfLayers: readonly string[];
  }[];
  readonly attentionOutputs: readonly string[];
  readonly controls: {
    readonly crossAlpha: string;
    readonly crossMapper: string;
    readonly equalizer: string;
    readonly crossKeep: string;
    readonly selfAlpha: string;
    readonly vBeta: string;
  };
}

export interface ModelPack {
  readonly id: string;
  readonly tokenizer: Tokenizer;
  readonly textEncoder: ModelSession;
  /** The controllable UNet (docs/architecture.md section 2). */
  readonly unet: ModelSession;
  readonly vaeDecoder: ModelSession;
  readonly vaeEncoder?: ModelSession;
  readonly layout: UnetLayout;
  /** Latents are multiplied by this after VAE encoding and divided by it before decoding. */
  readonly vaeScalingFactor: number;
  /** Pixels per latent cell (8 for SD). */
  readonly vaeScale: number;
  /** The image side the pack was made for (512 for SD 1.x). */
  readonly defaultImageSize: number;
  createScheduler(kind?: SchedulerKind): Scheduler;
  /**
   * diffusers' DDIMInverseScheduler from the pack's config (clip_sample off), for DDIM inversion of
   * real images; its `step` moves a latent one step towards noise. Optional: backends without it
   * cannot invert.
   */
  createInverseScheduler?(): Scheduler;
}

export interface PackInfo {
  readonly id: string;
  readonly name: string;
  readonly defaultImageSize: number;
  /** A caption the pack draws well (manifest `samplePrompt`), when it names one. */
  readonly samplePrompt?: string;
}

export interface InferenceBackend {
  /** e.g. `onnxruntime-node`. */
  readonly name: string;
  /** Execution provider in use: `cpu`, `webgpu`, `cuda`. */
  readonly provider: string;
  listPacks(): Promise<PackInfo[]>;
  /** Loads (or returns the already loaded) pack; sessions are cached by the backend. */
  loadPack(id: string): Promise<ModelPack>;
}

/** Narrows `ctx.backend` for model nodes, with an error users can act on. */
export function requireBackend(backend: unknown): InferenceBackend {
  if (!backend || typeof (backend as InferenceBackend).loadPack !== 'function') {
    throw new Error(
      'this node needs a model backend; run the graph with a runner that has one (ptp run, the server, or the browser runner)',
    );
  }
  return backend as InferenceBackend;
}
