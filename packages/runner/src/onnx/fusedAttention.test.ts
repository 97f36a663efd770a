import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrtCpuSession } from '../backends/OrtCpuSession.js';
import type { F32Tensor } from '../backends/OrtCpuSession.js';
import { encodeOnnxModel, readOnnxModel } from './OnnxModel.js';
import type { ModelProto } from './onnxProto.js';
import { patchControllableUnet, type PatchOptions, type PatchedUnet } from './patchControllableUnet.js';
import { PTP_CONTROL_INPUTS as C } from '@ptp/nodes/diffusion';
import { FIXTURES, maxAbsDiff, neutralControls, randomTensor, seededRandom, syncKeep } from './testing/unetTestKit.js';

// models/make_fixtures.py: one small UNet (8x8 latents, self layers at 8x8, 4x4 and 2x2) in a plain
// torch 1.13 export, a torch 2 SDPA export and a com.microsoft fused one, all with the same weights.
const fixture = (name: string): string => join(FIXTURES, name, 'model.onnx');
const LATENT = 8;
const T = 77;
/** Self layers at the full 8x8 grid are beyond the limit: 3 of the fixture's 7. */
const FUSE: PatchOptions = { nominalLatentSize: LATENT, fuseUncontrolled: true, selfControlDivisor: 2 };

function feeds(n: number, seed: number): Record<string, F32Tensor> {
  const rand = seededRandom(seed);
  return {
    sample: randomTensor([2 * n, 4, LATENT, LATENT], rand),
    timestep: { data: Float32Array.of(321), dims: [] },
    encoder_hidden_states: randomTensor([2 * n, T, 32], rand),
  };
}

function counts(result: PatchedUnet): { self: number; cross: number } {
  const self = result.layers.filter((l) => l.kind === 'self').length;
  return { self, cross: result.layers.length - self };
}

/** Every control on for one edit: a permutation mapper (a word swap), self replace and V injection. */
function activeControls(result: PatchedUnet): Record<string, F32Tensor> {
  const { self, cross } = counts(result);
  const ctl = neutralControls(1, T, self, cross);
  const mapper = ctl[C.crossMapper] as F32Tensor;
  mapper.data.fill(0);
  for (let k = 0; k < T; k++) mapper.data[k * T + ((k + 1) % T)] = 1;
  (ctl[C.crossAlpha] as F32Tensor).data.fill(1);
  (ctl[C.selfAlpha] as F32Tensor).data.fill(1);
  (ctl[C.vBeta] as F32Tensor).data.fill(0.5);
  return syncKeep(ctl);
}

async function patchFixture(name: string, options: PatchOptions): Promise<PatchedUnet> {
  return patchControllableUnet(await readOnnxModel(fixture(name)), options);
}

function opCount(model: ModelProto, op: string): number {
  return (model.graph?.node ?? []).filter((n) => n.op_type === op).length;
}

/** Max |diff| of out_sample between a patched model under neutral controls and the plain model, per N. */
async function neutralDiffs(plainPath: string, result: PatchedUnet, ns: number[]): Promise<number[]> {
  const { self, cross } = counts(result);
  const [plain, patched] = await Promise.all([
    OrtCpuSession.create(plainPath),
    OrtCpuSession.create(encodeOnnxModel(result.model)),
  ]);
  const diffs: number[] = [];
  for (const n of ns) {
    const f = feeds(n, 10 + n);
    const ref = (await plain.run(f)).out_sample?.data ?? new Float32Array();
    const out = (await patched.run({ ...f, ...neutralControls(n - 1, T, self, cross) })).out_sample?.data;
    diffs.push(maxAbsDiff(ref, out ?? new Float32Array(1)));
  }
  await Promise.all([plain.release(), patched.release()]);
  return diffs;
}

/** Max |diff| of every output of two patched models under the same active controls (N = 2). */
async function activeDiff(a: PatchedUnet, b: PatchedUnet): Promise<number> {
  const [sa, sb] = await Promise.all([
    OrtCpuSession.create(encodeOnnxModel(a.model)),
    OrtCpuSession.create(encodeOnnxModel(b.model)),
  ]);
  const f = { ...feeds(2, 7), ...activeControls(a) };
  const [oa, ob] = [await sa.run(f), await sb.run(f)];
  await Promise.all([sa.release(), sb.release()]);
  expect(Object.keys(oa).sort()).toEqual(Object.keys(ob).sort());
  return Math.max(...Object.keys(oa).map((k) => maxAbsDiff(oa[k]!.data, ob[k]?.data ?? new Float32Array(1))));
}

describe('fused export (fixture unet-fused): Attention on attn1, MultiHeadAttention on attn2', () => {
  it('expands every fused layer by default: all controllable, neutral controls give the fused model', async () => {
    const result = await patchFixture('unet-fused', { nominalLatentSize: LATENT });
    expect(result.stats).toMatchObject({ layersExpanded: 14, layersFused: 0 });
    expect(result.layers.every((l) => l.controlled && !l.fusedNode)).toBe(true);
    expect(opCount(result.model, 'Attention') + opCount(result.model, 'MultiHeadAttention')).toBe(0);
    const diffs = await neutralDiffs(fixture('unet-fused'), result, [1, 2]);
    console.info(`[unet-fused expanded] neutral diffs ${diffs.join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
  });

  it('controls act on the expanded layers as on the plain export', async () => {
    const expanded = await patchFixture('unet-fused', { nominalLatentSize: LATENT });
    const plain = await patchFixture('unet-torch113', { nominalLatentSize: LATENT });
    expect(expanded.layers.map((l) => [l.id, l.kind, l.group])).toEqual(
      plain.layers.map((l) => [l.id, l.kind, l.group]),
    );
    expect(await activeDiff(expanded, plain)).toBeLessThanOrEqual(1e-4);
  });

  it('keeps the self layers beyond the limit fused and expands the rest', async () => {
    const result = await patchFixture('unet-fused', FUSE);
    const fused = result.layers.filter((l) => l.fusedNode);
    expect(fused.map((l) => [l.kind, l.downsample, l.controlled])).toEqual([
      ['self', 1, false],
      ['self', 1, false],
      ['self', 1, false],
    ]);
    expect(result.stats).toMatchObject({ layersExpanded: 11, layersFused: 3 });
    expect(opCount(result.model, 'Attention')).toBe(3);
    expect(opCount(result.model, 'MultiHeadAttention')).toBe(0);
    // Manifest order and columns are those of the fully controllable import.
    const full = await patchFixture('unet-fused', { nominalLatentSize: LATENT });
    expect(result.layers.map((l) => [l.id, l.index, l.order])).toEqual(
      full.layers.map((l) => [l.id, l.index, l.order]),
    );
    const diffs = await neutralDiffs(fixture('unet-fused'), result, [1, 2]);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
  });
});

describe.each(['unet-torch113', 'unet-sdpa'])('plain export %s with fuseUncontrolled', (name) => {
  it('fuses the self layers beyond the limit into MultiHeadAttention; neutral controls give the plain model', async () => {
    const result = await patchFixture(name, FUSE);
    expect(result.layers.filter((l) => l.fusedNode).map((l) => [l.kind, l.downsample])).toEqual([
      ['self', 1],
      ['self', 1],
      ['self', 1],
    ]);
    expect(result.notFused.size).toBe(0);
    expect(opCount(result.model, 'MultiHeadAttention')).toBe(3);
    // No explicit attention is left behind in a fused layer.
    for (const l of result.layers.filter((x) => x.fusedNode))
      expect(result.model.graph?.node?.some((n) => n.name?.startsWith(`${l.id}/`) && n.op_type === 'Softmax')).toBe(
        false,
      );
    const diffs = await neutralDiffs(fixture(name), result, [1, 2]);
    console.info(`[${name} partly fused] neutral diffs ${diffs.join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
  });

  it('gives what the unfused import gives under active controls (fused self columns ignored by both)', async () => {
    const fused = await patchFixture(name, FUSE);
    const explicit = await patchFixture(name, { ...FUSE, fuseUncontrolled: false });
    expect(explicit.layers.filter((l) => !l.controlled)).toHaveLength(3);
    expect(await activeDiff(fused, explicit)).toBeLessThanOrEqual(1e-4);
  });
});
