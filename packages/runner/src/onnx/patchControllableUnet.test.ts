import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtCpuSession } from '../backends/OrtCpuSession.js';
import type { F32Tensor } from '../backends/OrtCpuSession.js';
import { decodeOnnxModel, encodeOnnxModel } from './OnnxModel.js';
import { patchControllableUnet } from './patchControllableUnet.js';
import type { PatchedUnet } from './patchControllableUnet.js';
import type { NodeProto } from './onnxProto.js';
import { PTP_CONTROL_INPUTS as C } from '@ptp/nodes/diffusion';
import {
  TOY_PACK,
  item,
  maxAbsDiff,
  neutralControls,
  syncKeep,
  randomTensor,
  seededRandom,
  setRow,
} from './testing/unetTestKit.js';

// The toy UNet at 64x64 latents costs ~0.1-0.8 s per run on 2 cores: keep the run count small.
const T = 77;
let plain: OrtCpuSession;
let patched: OrtCpuSession;
let result: PatchedUnet;
let plainBytes: Buffer;

function unetFeeds(n: number, seed: number): Record<string, F32Tensor> {
  const rand = seededRandom(seed);
  return {
    sample: randomTensor([2 * n, 4, 64, 64], rand),
    timestep: { data: Float32Array.of(501), dims: [] },
    encoder_hidden_states: randomTensor([2 * n, T, 32], rand),
  };
}

beforeAll(async () => {
  plainBytes = await readFile(join(TOY_PACK, 'unet/model.onnx'));
  const model = decodeOnnxModel(plainBytes);
  result = patchControllableUnet(model);
  [plain, patched] = await Promise.all([
    OrtCpuSession.create(plainBytes),
    OrtCpuSession.create(encodeOnnxModel(result.model)),
  ]);
});

afterAll(async () => {
  await Promise.all([plain?.release(), patched?.release()]);
});

describe('patchControllableUnet on the toy SD UNet (torch 1.13, heads folded)', () => {
  it('re-encodes the plain UNet byte for byte', () => {
    expect(Buffer.from(encodeOnnxModel(decodeOnnxModel(plainBytes))).equals(plainBytes)).toBe(true);
  });

  it('finds the 11 self and 11 cross layers at 32x32, 16x16 and 8x8', () => {
    const { layers, resolutionGroups } = result;
    expect(layers.filter((l) => l.kind === 'self')).toHaveLength(11);
    expect(layers.filter((l) => l.kind === 'cross')).toHaveLength(11);
    expect(layers.every((l) => l.layout === 'folded' && l.heads === 2)).toBe(true);
    expect(layers[0]).toMatchObject({
      id: '/down_blocks.1/attentions.0/transformer_blocks.0/attn1',
      kind: 'self',
      index: 0,
      group: '32x32',
      queryLength: 1024,
      downsample: 2,
    });
    expect(layers[1]).toMatchObject({
      id: '/down_blocks.1/attentions.0/transformer_blocks.0/attn2',
      kind: 'cross',
      index: 0,
      toVNode: '/down_blocks.1/attentions.0/transformer_blocks.0/attn2/to_v/MatMul',
    });
    const mid = layers.find((l) => l.id.startsWith('/mid_block/') && l.kind === 'cross');
    expect(mid).toMatchObject({ group: '8x8', index: 4, order: 9 });
    const summary = resolutionGroups.map((g) => [g.name, g.output, g.crossLayers.length, g.selfLayers.length]);
    expect(summary).toEqual([
      ['32x32', 'ptp_attn_32x32', 5, 5],
      ['16x16', 'ptp_attn_16x16', 5, 5],
      ['8x8', 'ptp_attn_8x8', 1, 1],
    ]);
    const g16 = resolutionGroups[1]?.crossLayers ?? [];
    expect(g16.filter((id) => id.startsWith('/down_blocks.2/'))).toHaveLength(2);
    expect(g16.filter((id) => id.startsWith('/up_blocks.1/'))).toHaveLength(3);
    expect(result.latentChannels).toBe(4);
    console.info(
      `[patch overhead] nodes ${result.stats.nodesBefore} -> ${result.stats.nodesAfter}, added ${JSON.stringify(result.stats.opsAdded)}, initializers +${result.stats.initializersAdded}`,
    );
  });

  it('takes over every P·V MatMul with an If and runs few extra nodes with the controls off', () => {
    const { opsAdded, nodesBefore } = result.stats;
    // 22 P·V MatMuls (V injection included for the cross ones) + 3 group outputs; nothing rewrites P or V.
    expect(opsAdded.If).toBe(25);
    expect(opsAdded.ScatterND ?? 0).toBe(0);
    expect(opsAdded.Identity ?? 0).toBe(0);
    const nodes = result.model.graph?.node ?? [];
    const branch = (n: NodeProto, which: string): NodeProto[] =>
      n.attribute?.find((a) => a.name === which)?.g?.node ?? [];
    const ifs = nodes.filter((n) => n.op_type === 'If');
    const neutralRuns = nodes.length + ifs.reduce((sum, n) => sum + branch(n, 'else_branch').length, 0);
    const activeRuns = nodes.length + ifs.reduce((sum, n) => sum + branch(n, 'then_branch').length, 0);
    console.info(
      `[patch overhead] executed nodes: plain ${nodesBefore}, neutral ${neutralRuns} (+${neutralRuns - nodesBefore}), all on ${activeRuns} (+${activeRuns - nodesBefore})`,
    );
    // The else branches hold the original MatMul (+ the map sums on cross layers): a handful each.
    expect(neutralRuns - nodesBefore).toBeLessThan(150);
  });

  it.each([1, 2, 4])('reproduces the plain UNet with neutral controls at N = %i', async (n) => {
    const feeds = unetFeeds(n, 100 + n);
    const ref = await plain.run(feeds);
    const out = await patched.run({ ...feeds, ...neutralControls(n - 1, T, 11, 11) });
    const diff = maxAbsDiff(ref.out_sample?.data ?? new Float32Array(), out.out_sample?.data ?? new Float32Array(1));
    console.info(`[neutral] B=${2 * n} E=${n - 1} max abs diff ${diff}`);
    // Every control is off, so every If runs its else branch: the plain computation, bit for bit.
    expect(diff).toBe(0);
    expect(out.ptp_attn_16x16?.dims).toEqual([n, 256, T]);
    expect(out.ptp_attn_32x32?.dims).toEqual([n, 1024, T]);
    expect(out.ptp_attn_8x8?.dims).toEqual([n, 64, T]);
    // Averaged probabilities: every query row sums to 1 over tokens.
    const maps = out.ptp_attn_8x8?.data ?? new Float32Array();
    expect(maps.subarray(0, T).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('applies cross alpha, equalizer and self alpha to the edits of the conditional half only', async () => {
    const n = 4;
    const feeds = unetFeeds(n, 7);
    const neutral = neutralControls(n - 1, T, 11, 11);
    const ctl = neutralControls(n - 1, T, 11, 11);
    const alpha = ctl[C.crossAlpha] as F32Tensor;
    setRow(alpha, 0, 1); // edit 1: maps replaced by the source's
    setRow(alpha, 1, 1); // edit 2: ... times 2
    setRow(ctl[C.equalizer] as F32Tensor, 1, 2);
    setRow(ctl[C.selfAlpha] as F32Tensor, 2, 1); // edit 3: self-attention replaced everywhere
    const [ref, out] = [await patched.run({ ...feeds, ...neutral }), await patched.run({ ...feeds, ...syncKeep(ctl) })];
    for (const name of result.attentionOutputs) {
      const maps = out[name] as F32Tensor;
      const src = item(maps, 0);
      expect(maxAbsDiff(item(maps, 1), src), name).toBeLessThan(1e-6);
      expect(
        maxAbsDiff(
          item(maps, 2),
          src.map((v) => 2 * v),
        ),
        name,
      ).toBeLessThan(1e-6);
      expect(maxAbsDiff(item(maps, 3), item(ref[name] as F32Tensor, 3)), name).toBeGreaterThan(1e-6);
    }
    const eps = out.out_sample as F32Tensor;
    const eps0 = ref.out_sample as F32Tensor;
    // Uncond half and the source are untouched; every edit moved.
    for (let i = 0; i <= n; i++) expect(maxAbsDiff(item(eps, i), item(eps0, i)), `item ${i}`).toBeLessThanOrEqual(1e-6);
    for (let i = n + 1; i < 2 * n; i++)
      expect(maxAbsDiff(item(eps, i), item(eps0, i)), `item ${i}`).toBeGreaterThan(1e-4);
  });

  it('V injection with cross alpha 1 makes an edit that differs only in its prompt equal the source', async () => {
    const n = 2;
    const feeds = unetFeeds(n, 11);
    const sample = feeds.sample as F32Tensor;
    for (const i of [1, 3]) item(sample, i).set(item(sample, i - 1)); // same latent, different text
    const ctl = neutralControls(1, T, 11, 11);
    (ctl[C.crossAlpha] as F32Tensor).data.fill(1);
    syncKeep(ctl);
    const withoutV = await patched.run({ ...feeds, ...ctl });
    (ctl[C.vBeta] as F32Tensor).data.fill(1);
    const withV = await patched.run({ ...feeds, ...ctl });
    const [a, b] = [withV.out_sample as F32Tensor, withoutV.out_sample as F32Tensor];
    expect(maxAbsDiff(item(a, 3), item(a, 2))).toBeLessThan(1e-5);
    expect(maxAbsDiff(item(b, 3), item(b, 2))).toBeGreaterThan(1e-4);
  });
});
