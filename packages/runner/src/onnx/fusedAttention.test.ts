import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrtCpuSession } from '../backends/OrtCpuSession.js';
import type { F32Tensor } from '../backends/OrtCpuSession.js';
import { decodeOnnxModel, encodeOnnxModel, readOnnxModel } from './OnnxModel.js';
import { AttributeType, DataType, int64ToNumber } from './onnxProto.js';
import type { ModelProto, NodeProto, TensorProto } from './onnxProto.js';
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

/** An int64 initializer. */
function i64(name: string, values: number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  values.forEach((v, k) => new DataView(raw.buffer).setBigInt64(k * 8, BigInt(v), true));
  return { name, dims: [values.length], data_type: DataType.INT64, raw_data: raw };
}

/**
 * The fused fixture rewritten into the packed forms newer ORT optimizers write: every attn1
 * `Attention(x, W, b)` becomes MatMul + bias -> [B, S, heads, 3, d] -> MultiHeadAttention(qkv),
 * every attn2 `MultiHeadAttention(q, k, v)` becomes MultiHeadAttention(q, kv [B, L, heads, 2, d],
 * '', zero bias). Same arithmetic, so its output is the fixture's.
 */
function packedForms(model: ModelProto): ModelProto {
  const graph = model.graph!;
  const inits = new Map((graph.initializer ?? []).map((t) => [t.name, t]));
  const producers = new Map((graph.node ?? []).flatMap((n) => (n.output ?? []).map((o) => [o, n] as const)));
  const added: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  for (const n of graph.node ?? []) {
    const heads = int64ToNumber(n.attribute?.find((a) => a.name === 'num_heads')?.i);
    const s = n.name ?? '';
    const mha = (inputs: string[]): NodeProto => ({ ...n, op_type: 'MultiHeadAttention', input: inputs });
    if (n.op_type === 'Attention') {
      const [x = '', w = '', bias = ''] = n.input ?? [];
      added.push(i64(`${s}/pack5`, [0, 0, 3, heads, -1]));
      nodes.push(
        { name: `${s}/QkvMatMul`, op_type: 'MatMul', input: [x, w], output: [`${s}/qkv`] },
        { name: `${s}/QkvBias`, op_type: 'Add', input: [`${s}/qkv`, bias], output: [`${s}/qkvb`] },
        { name: `${s}/QkvSplit`, op_type: 'Reshape', input: [`${s}/qkvb`, `${s}/pack5`], output: [`${s}/qkv5`] },
        {
          name: `${s}/QkvPack`,
          op_type: 'Transpose',
          input: [`${s}/qkv5`],
          output: [`${s}/packed`],
          attribute: [{ name: 'perm', type: AttributeType.INTS, ints: [0, 1, 3, 2, 4] }],
        },
        mha([`${s}/packed`, '', '']),
      );
    } else if (n.op_type === 'MultiHeadAttention') {
      const [q = '', k = '', v = ''] = n.input ?? [];
      const width = (t: string) => int64ToNumber(inits.get(producers.get(t)?.input?.[1])?.dims?.[1]);
      const zeros = width(q) + width(k) + width(v);
      added.push(i64(`${s}/pack5`, [0, 0, heads, 1, -1]), {
        name: `${s}/bias`,
        dims: [zeros],
        data_type: DataType.FLOAT,
        raw_data: new Uint8Array(zeros * 4),
      });
      nodes.push(
        { name: `${s}/K5`, op_type: 'Reshape', input: [k, `${s}/pack5`], output: [`${s}/k5`] },
        { name: `${s}/V5`, op_type: 'Reshape', input: [v, `${s}/pack5`], output: [`${s}/v5`] },
        {
          name: `${s}/KvPack`,
          op_type: 'Concat',
          input: [`${s}/k5`, `${s}/v5`],
          output: [`${s}/kv`],
          attribute: [{ name: 'axis', type: AttributeType.INT, i: 3 }],
        },
        mha([q, `${s}/kv`, '', `${s}/bias`]),
      );
    } else nodes.push(n);
  }
  graph.node = nodes;
  graph.initializer = [...(graph.initializer ?? []), ...added];
  return model;
}

describe('packed forms (newer ORT fusion): packed QKV, packed KV with bias', () => {
  it('expands them; neutral controls give the fused fixture', async () => {
    const packed = packedForms(await readOnnxModel(fixture('unet-fused')));
    expect(opCount(packed, 'MultiHeadAttention')).toBe(14);
    const result = patchControllableUnet(decodeOnnxModel(encodeOnnxModel(packed)), { nominalLatentSize: LATENT });
    expect(result.stats).toMatchObject({ layersExpanded: 14, layersFused: 0 });
    const diffs = await neutralDiffs(fixture('unet-fused'), result, [2]);
    console.info(`[unet-fused packed forms, expanded] neutral diffs ${diffs.join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
  });
});
