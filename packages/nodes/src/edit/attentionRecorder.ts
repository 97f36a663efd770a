import type { ModelPack, Tensor } from '../runtime/InferenceBackend.js';
import type { AttentionGroupMaps, AttentionValue } from '../values.js';

/** Groups with at most this many cells keep a map per step (for the viewer); larger keep sums only. */
const PER_STEP_MAX_CELLS = 32 * 32;

export interface RecordedGroup {
  readonly name: string;
  readonly output: string;
  readonly downsample: number;
  readonly grid: [number, number];
  readonly sum: Float32Array;
  readonly perStep: Float32Array[] | undefined;
}

/**
 * Accumulates the controllable UNet's cross-attention outputs over steps, per resolution group,
 * for N batch items at latent size h x w. Shared by the edit sampler and the inversion.
 */
export class AttentionRecorder {
  readonly groups: RecordedGroup[];
  steps = 0;

  constructor(
    readonly pack: ModelPack,
    n: number,
    h: number,
    w: number,
  ) {
    const T = pack.layout.tokenLength;
    this.groups = pack.layout.resolutionGroups
      .filter((g) => g.output !== null)
      .map((g) => {
        const grid: [number, number] = [Math.ceil(h / g.downsample), Math.ceil(w / g.downsample)];
        const cells = grid[0] * grid[1];
        return {
          name: g.name,
          output: g.output!,
          downsample: g.downsample,
          grid,
          sum: new Float32Array(n * cells * T),
          perStep: cells <= PER_STEP_MAX_CELLS ? [] : undefined,
        };
      });
  }

  /** Output names to fetch from the UNet. */
  get outputs(): string[] {
    return this.groups.map((g) => g.output);
  }

  /** The group nearest latent / 4 (16x16 for SD at 512 px), which local blend reads as the reference does. */
  get blendGroup(): RecordedGroup | undefined {
    return [...this.groups].sort(
      (a, b) => Math.abs(Math.log2(a.downsample / 4)) - Math.abs(Math.log2(b.downsample / 4)),
    )[0];
  }

  record(attention: Readonly<Record<string, Tensor>>): void {
    this.steps++;
    for (const g of this.groups) {
      const maps = attention[g.output]!.data as Float32Array;
      for (let i = 0; i < g.sum.length; i++) g.sum[i] = g.sum[i]! + maps[i]!;
      g.perStep?.push(maps.slice());
    }
  }

  value(texts: readonly string[]): AttentionValue {
    const { pack } = this;
    return {
      packId: pack.id,
      prompts: texts,
      words: texts.map((t) => pack.tokenizer.tokenizeWords(t)),
      tokenLength: pack.layout.tokenLength,
      steps: this.steps,
      groups: this.groups.map((g): AttentionGroupMaps => ({
        name: g.name,
        grid: g.grid,
        sum: g.sum,
        ...(g.perStep ? { perStep: g.perStep } : {}),
      })),
    };
  }
}
