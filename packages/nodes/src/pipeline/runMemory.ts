import { API_LIMITS, NodeRunError } from '@ptp/graph-core';
import type { ModelPack } from '../runtime/InferenceBackend.js';

/** The ceiling when the runner configures none (servers set theirs: `ptp serve --max-run-memory`). */
export const DEFAULT_MAX_RUN_MEMORY_BYTES: number = API_LIMITS.maxRunMemoryBytes;

declare module '@ptp/graph-core' {
  interface RunResources {
    /** Per-run budgets the runner enforces in nodes (the server's configured ceilings). */
    runLimits?: { maxRunMemoryBytes?: number };
  }
}

/** Heads assumed where a pack's manifest does not record them (Stable Diffusion 1.x uses 8). */
const DEFAULT_HEADS = 8;

/**
 * Peak memory of one UNet call, dominated by the attention probabilities of the finest
 * self-attention layer: (2N in the CFG batch) x heads x tokens^2 fp32, tokens = latent cells at
 * that layer. A 32 px pack asked for 1024x1024 needs 65536^2 per head: refused here, not by the
 * allocator halfway through a run.
 */
export function estimateUnetMemory(pack: Pick<ModelPack, 'layout'>, batch: number, h: number, w: number): number {
  let peak = 0;
  for (const layer of pack.layout.layers) {
    const tokens = Math.ceil(h / layer.downsample) * Math.ceil(w / layer.downsample);
    const keys = layer.kind === 'self' ? tokens : pack.layout.tokenLength;
    const heads = (layer as { heads?: number | null }).heads ?? DEFAULT_HEADS;
    // Scores and probabilities are both live at the softmax.
    peak = Math.max(peak, 2 * (2 * batch) * heads * tokens * keys * 4);
  }
  return peak + 2 * batch * pack.layout.latentChannels * h * w * 4 * 8;
}

/** Spread into denoise/sampleEdits options: the runner's ceiling when it set one. */
export function memoryLimitOf(resources: { runLimits?: { maxRunMemoryBytes?: number } }): { maxMemoryBytes?: number } {
  const max = resources.runLimits?.maxRunMemoryBytes;
  return max !== undefined ? { maxMemoryBytes: max } : {};
}

const gib = (n: number): string => `${(n / 1024 ** 3).toFixed(n < 1024 ** 3 ? 2 : 1)} GiB`;

/** Throws MEMORY_LIMIT naming width/height when a UNet call at this size would pass the ceiling. */
export function checkRunMemory(
  pack: Pick<ModelPack, 'layout' | 'vaeScale' | 'defaultImageSize'>,
  batch: number,
  h: number,
  w: number,
  maxBytes = DEFAULT_MAX_RUN_MEMORY_BYTES,
): void {
  const need = estimateUnetMemory(pack, batch, h, w);
  if (need <= maxBytes) return;
  const side = `${w * pack.vaeScale}x${h * pack.vaeScale}`;
  throw new NodeRunError(
    `${side}${batch > 1 ? ` with ${batch} images` : ''} needs about ${gib(need)} for attention on this model (made for ${pack.defaultImageSize}x${pack.defaultImageSize}); this runner's limit is ${gib(maxBytes)}: lower width/height or the batch`,
    { code: 'MEMORY_LIMIT', param: w >= h ? 'width' : 'height' },
  );
}
