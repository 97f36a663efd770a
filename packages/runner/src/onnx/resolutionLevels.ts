import { PtpPackError } from './PtpPackError.js';
import type { NodeProto } from './onnxProto.js';

/**
 * Resolution level (number of 2x downsamplings from the latent) of each attention layer, read from
 * the diffusers block structure in node names: `down_blocks.i` runs before its own downsampler,
 * `mid_block` after all of them, `up_blocks.j` after the upsamplers of blocks < j. Static, so the
 * output names do not depend on the runtime latent size (which stays dynamic).
 */
export function resolutionLevels(nodes: readonly NodeProto[], layerIds: readonly string[]): Map<string, number> {
  const down = new Set<number>();
  const up = new Set<number>();
  for (const n of nodes) {
    const name = n.name ?? '';
    const d = /^\/down_blocks\.(\d+)\/downsamplers\./.exec(name);
    if (d?.[1]) down.add(Number(d[1]));
    const u = /^\/up_blocks\.(\d+)\/upsamplers\./.exec(name);
    if (u?.[1]) up.add(Number(u[1]));
  }
  const below = (set: Set<number>, k: number): number => [...set].filter((i) => i < k).length;
  const levels = new Map<string, number>();
  for (const id of layerIds) {
    const d = /^\/down_blocks\.(\d+)\//.exec(id);
    const u = /^\/up_blocks\.(\d+)\//.exec(id);
    let level: number;
    if (d?.[1]) level = below(down, Number(d[1]));
    else if (/^\/mid_block\//.test(id)) level = down.size;
    else if (u?.[1]) level = down.size - below(up, Number(u[1]));
    else
      throw new PtpPackError(
        'UNKNOWN_BLOCK',
        `attention layer ${id} is not inside down_blocks.*, mid_block or up_blocks.*; cannot tell its resolution (re-export from a diffusers UNet2DConditionModel so node names keep module scopes)`,
      );
    if (level < 0)
      throw new PtpPackError(
        'UNKNOWN_BLOCK',
        `attention layer ${id} has more upsamplers before it than downsamplers in the model; unsupported block layout`,
      );
    levels.set(id, level);
  }
  return levels;
}
