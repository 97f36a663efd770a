import { describe, expect, it } from 'vitest';
import { OrtCpuSession } from '../backends/OrtCpuSession.js';
import type { F32Tensor } from '../backends/OrtCpuSession.js';
import { encodeOnnxModel } from './OnnxModel.js';
import { findAttentionLayers } from './findAttentionLayers.js';
import { patchControllableUnet } from './patchControllableUnet.js';
import { PTP_CONTROL_INPUTS as C } from '@ptp/nodes/diffusion';
import { buildTinyUnet } from './testing/buildTinyUnet.js';
import type { TinyUnetOptions } from './testing/buildTinyUnet.js';
import { item, maxAbsDiff, neutralControls, syncKeep, randomTensor, seededRandom } from './testing/unetTestKit.js';

// Tiny attention blocks built in code: checks every control formula exactly on both head layouts.
const T = 5;
const SIDE = 4; // latent 4x4 -> Q = 16
const HEADS = 2;

function feeds(n: number, seed: number): Record<string, F32Tensor> {
  const rand = seededRandom(seed);
  return {
    sample: randomTensor([2 * n, 4, SIDE, SIDE], rand),
    timestep: { data: Float32Array.of(10), dims: [] },
    encoder_hidden_states: randomTensor([2 * n, T, 6], rand, 2),
  };
}

async function sessions(opts: TinyUnetOptions) {
  const tiny = buildTinyUnet({ ...opts, exposeInternals: true });
  const plain = await OrtCpuSession.create(encodeOnnxModel(tiny.model));
  const patchedModel = buildTinyUnet({ ...opts, exposeInternals: true }).model;
  const result = patchControllableUnet(patchedModel, { nominalLatentSize: SIDE });
  const patched = await OrtCpuSession.create(encodeOnnxModel(result.model));
  return { tiny, plain, patched, result };
}

describe.each([
  { layout: 'folded', opset: 12 },
  { layout: '4d', opset: 17 },
] as const)('tiny UNet, $layout layout, opset $opset', (opts) => {
  it('is found, patched, and neutral at E = 0, 1, 3', async () => {
    const layers = findAttentionLayers(buildTinyUnet(opts).model);
    expect(layers.map((l) => [l.kind, l.layout, l.heads, l.toV?.name ?? null])).toEqual([
      ['self', opts.layout, HEADS, '/down_blocks.0/attentions.0/transformer_blocks.0/attn1/to_v/MatMul'],
      ['cross', opts.layout, HEADS, '/down_blocks.0/attentions.0/transformer_blocks.0/attn2/to_v/MatMul'],
    ]);
    const { plain, patched, result } = await sessions(opts);
    expect(result.attentionOutputs).toEqual(['ptp_attn_4x4']);
    for (const n of [1, 2, 4]) {
      const f = feeds(n, n);
      const [a, b] = [await plain.run(f), await patched.run({ ...f, ...neutralControls(n - 1, T, 1, 1) })];
      expect(
        maxAbsDiff(a.out_sample?.data ?? new Float32Array(), b.out_sample?.data ?? new Float32Array(1)),
      ).toBeLessThanOrEqual(1e-6);
      expect(b.ptp_attn_4x4?.dims).toEqual([n, SIDE * SIDE, T]);
    }
  });

  it('computes the self, cross, equalizer, V and map formulas exactly', async () => {
    const { tiny, plain, patched } = await sessions(opts);
    const n = 3;
    const e = n - 1;
    const f = feeds(n, 99);
    const ref = await plain.run(f);
    const q = SIDE * SIDE;
    const rand = seededRandom(5);

    // Self layer: edit' = s * base + (1 - s) * edit.
    const selfCtl = neutralControls(e, T, 1, 1);
    (selfCtl[C.selfAlpha] as F32Tensor).data.set([1, 0.3]);
    const outSelf = await patched.run({ ...f, ...selfCtl });
    const pRef = ref[tiny.selfProbs] as F32Tensor;
    const pOut = outSelf[tiny.selfProbs] as F32Tensor;
    for (let i = 0; i <= n; i++) expect(maxAbsDiff(item(pOut, i, 2 * n), item(pRef, i, 2 * n))).toBe(0);
    [1, 0.3].forEach((s, k) => {
      const expected = item(pRef, n, 2 * n).map((b, j) => s * b + (1 - s) * (item(pRef, n + 1 + k, 2 * n)[j] ?? 0));
      expect(maxAbsDiff(item(pOut, n + 1 + k, 2 * n), expected)).toBeLessThan(1e-6);
    });

    // Cross layer and V: mapper (a permutation, then a refine-like matrix), alpha, equalizer, beta.
    const ctl = neutralControls(e, T, 1, 1);
    const mapper = ctl[C.crossMapper] as F32Tensor;
    mapper.data.fill(0);
    const perm = [0, 2, 1, 4, 3];
    perm.forEach((k, col) => (mapper.data[k * T + col] = 1));
    for (let j = 0; j < T * T; j++) mapper.data[T * T + j] = j % T === 3 ? 0 : rand();
    const alpha = ctl[C.crossAlpha] as F32Tensor;
    const eq = ctl[C.equalizer] as F32Tensor;
    for (let j = 0; j < e * T; j++) [alpha.data[j], eq.data[j]] = [rand(), 0.5 + 1.5 * rand()];
    (ctl[C.vBeta] as F32Tensor).data.set([0.5, 1]);
    const keep = ctl[C.crossKeep] as F32Tensor;
    // keep is its own control: give it values unrelated to alpha so the formula is really tested.
    for (let j = 0; j < e * T; j++) keep.data[j] = rand();
    const out = await patched.run({ ...f, ...ctl });
    const cRef = ref[tiny.crossProbs] as F32Tensor;
    const cOut = out[tiny.crossProbs] as F32Tensor;
    const rows = HEADS * q; // per item: [heads*Q, T] in both layouts (folding is batch-major)
    expect(cRef.data.length).toBe(2 * n * rows * T);
    const at = (t: Float32Array, r: number, c: number): number => t[r * T + c] ?? NaN;
    for (let k = 0; k < e; k++) {
      const base = item(cRef, n, 2 * n);
      const edit = item(cRef, n + 1 + k, 2 * n);
      const expected = new Float32Array(rows * T);
      for (let r = 0; r < rows; r++) {
        for (let col = 0; col < T; col++) {
          let inj = 0;
          for (let src = 0; src < T; src++) inj += at(base, r, src) * (mapper.data[(k * T + src) * T + col] ?? 0);
          const a = alpha.data[k * T + col] ?? 0;
          expected[r * T + col] =
            a * inj * (eq.data[k * T + col] ?? 0) + (keep.data[k * T + col] ?? 0) * at(edit, r, col);
        }
      }
      expect(maxAbsDiff(item(cOut, n + 1 + k, 2 * n), expected)).toBeLessThan(1e-5);
    }
    // V: v_edit' = (1 - beta) v_edit + beta M^T v_src (uncond half and source untouched).
    const vRef = ref[tiny.crossV] as F32Tensor;
    const vOut = out[tiny.crossV] as F32Tensor;
    const width = vRef.dims[2] ?? 0;
    for (let i = 0; i <= n; i++) expect(maxAbsDiff(item(vOut, i), item(vRef, i))).toBe(0);
    [0.5, 1].forEach((beta, k) => {
      const expected = new Float32Array(T * width);
      for (let col = 0; col < T; col++) {
        for (let ch = 0; ch < width; ch++) {
          let aligned = 0;
          for (let src = 0; src < T; src++)
            aligned += (mapper.data[(k * T + src) * T + col] ?? 0) * (item(vRef, n)[src * width + ch] ?? 0);
          expected[col * width + ch] = (1 - beta) * (item(vRef, n + 1 + k)[col * width + ch] ?? 0) + beta * aligned;
        }
      }
      expect(maxAbsDiff(item(vOut, n + 1 + k), expected)).toBeLessThan(1e-5);
    });
    // Maps: the conditional half of the injected probabilities, averaged over heads.
    const maps = out.ptp_attn_4x4 as F32Tensor;
    for (let i = 0; i < n; i++) {
      const p = item(cOut, n + i, 2 * n);
      const expected = new Float32Array(q * T);
      for (let h = 0; h < HEADS; h++)
        for (let j = 0; j < q * T; j++) expected[j] = (expected[j] ?? 0) + (p[h * q * T + j] ?? 0) / HEADS;
      expect(maxAbsDiff(item(maps, i), expected)).toBeLessThan(1e-6);
    }
  });
});

/** Random active controls for E edits of the tiny UNet (1 self, 1 cross layer). */
function activeControls(
  e: number,
  seed: number,
  opts: { cross: boolean; self: boolean; v: boolean },
): Record<string, F32Tensor> {
  const rand = seededRandom(seed);
  const ctl = neutralControls(e, T, 1, 1);
  const mapper = ctl[C.crossMapper] as F32Tensor;
  for (let k = 0; k < e; k++)
    for (let j = 0; j < T * T; j++)
      mapper.data[k * T * T + j] = k === 0 ? (Math.floor(j / T) === ((j % T) + 1) % T ? 1 : 0) : rand();
  for (let j = 0; j < e * T; j++) {
    if (opts.cross) (ctl[C.crossAlpha] as F32Tensor).data[j] = j % 3 === 0 ? 1 : j % 3 === 1 ? 0 : rand();
    (ctl[C.equalizer] as F32Tensor).data[j] = 0.5 + 1.5 * rand();
  }
  for (let k = 0; k < e; k++) {
    if (opts.self) (ctl[C.selfAlpha] as F32Tensor).data[k] = k === 0 ? 1 : rand();
    if (opts.v) (ctl[C.vBeta] as F32Tensor).data[k] = k === 0 ? 1 : rand();
  }
  return syncKeep(ctl);
}

describe.each([
  { layout: 'folded', opset: 12 },
  { layout: '4d', opset: 17 },
] as const)('fast path (only the P·V MatMul reads P and V), $layout layout, opset $opset', (opts) => {
  async function fastAndGeneral() {
    const build = (exposeInternals: boolean) =>
      buildTinyUnet({ ...opts, exposeInternals, exposeAttentionOutputs: true });
    const tiny = build(false);
    const plain = await OrtCpuSession.create(encodeOnnxModel(build(false).model));
    const fastResult = patchControllableUnet(tiny.model, { nominalLatentSize: SIDE });
    // The general path (P and V exported, so materialised) is checked against the formulas above.
    const generalResult = patchControllableUnet(build(true).model, { nominalLatentSize: SIDE });
    const [fast, general] = await Promise.all([
      OrtCpuSession.create(encodeOnnxModel(fastResult.model)),
      OrtCpuSession.create(encodeOnnxModel(generalResult.model)),
    ]);
    return { tiny, plain, fast, general, fastResult, generalResult };
  }

  it('takes over the P·V MatMuls with one If each and never rewrites P or V', async () => {
    const { fastResult, generalResult } = await fastAndGeneral();
    // self P·V, cross P·V (with V injection), one group output.
    expect(fastResult.stats.opsAdded.If).toBe(3);
    expect(fastResult.stats.opsAdded.ScatterND ?? 0).toBe(0);
    expect(fastResult.stats.opsAdded.Identity ?? 0).toBe(0);
    expect(generalResult.stats.opsAdded.ScatterND).toBe(2);
  });

  it('equals the plain UNet bit for bit with neutral controls at E = 0, 1, 3', async () => {
    const { tiny, plain, fast } = await fastAndGeneral();
    for (const n of [1, 2, 4]) {
      const f = feeds(n, 40 + n);
      const [a, b] = [await plain.run(f), await fast.run({ ...f, ...neutralControls(n - 1, T, 1, 1) })];
      for (const name of ['out_sample', tiny.selfOut, tiny.crossOut])
        expect(maxAbsDiff((a[name] as F32Tensor).data, (b[name] as F32Tensor).data), `${name} N=${n}`).toBe(0);
      expect(b.ptp_attn_4x4?.dims).toEqual([n, SIDE * SIDE, T]);
    }
  });

  it.each([
    { cross: true, self: true, v: true },
    { cross: true, self: false, v: false },
    { cross: false, self: false, v: true },
    { cross: false, self: true, v: false },
  ])('matches the materialised formulas with controls %o', async (which) => {
    const { tiny, fast, general } = await fastAndGeneral();
    for (const n of [2, 4]) {
      const f = feeds(n, 60 + n);
      const ctl = activeControls(n - 1, 7 + n, which);
      const [a, b] = [await general.run({ ...f, ...ctl }), await fast.run({ ...f, ...ctl })];
      for (const name of ['out_sample', tiny.selfOut, tiny.crossOut, 'ptp_attn_4x4']) {
        const [x, y] = [(a[name] as F32Tensor).data, (b[name] as F32Tensor).data];
        const scale = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        expect(maxAbsDiff(x, y), `${name} N=${n}`).toBeLessThanOrEqual(1e-6 * Math.max(1, scale));
      }
      // The uncond half and the source are untouched.
      const ref = await fast.run({ ...f, ...neutralControls(n - 1, T, 1, 1) });
      for (let i = 0; i <= n; i++)
        expect(maxAbsDiff(item(b.out_sample as F32Tensor, i), item(ref.out_sample as F32Tensor, i))).toBe(0);
    }
  });
});

describe('tiny UNet in float16', () => {
  it('casts the controls to half (CastLike), stays neutral and injects', async () => {
    const { plain, patched, result } = await sessions({ layout: '4d', opset: 17, half: true });
    expect(result.stats.opsAdded.CastLike).toBeGreaterThan(0);
    const f = feeds(2, 4);
    const ref = await plain.run(f);
    const neutral = await patched.run({ ...f, ...neutralControls(1, T, 1, 1) });
    // ORT's CPU EP runs many fp16 ops in fp32 behind inserted Casts, and where those Casts fall
    // differs between the graphs: allow ~2 half-precision ulps of the output's magnitude.
    const a = ref.out_sample?.data ?? new Float32Array();
    const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(maxAbsDiff(a, neutral.out_sample?.data ?? new Float32Array(1))).toBeLessThanOrEqual(scale * 2 ** -9);
    const ctl = neutralControls(1, T, 1, 1);
    (ctl[C.crossAlpha] as F32Tensor).data.fill(1);
    const maps = (await patched.run({ ...f, ...syncKeep(ctl) })).ptp_attn_4x4 as F32Tensor;
    expect(maxAbsDiff(item(maps, 1), item(maps, 0))).toBeLessThan(1e-3);
  });

  it('on the fast path too: neutral, and the fast and materialised paths agree', async () => {
    const build = (exposeInternals: boolean) =>
      buildTinyUnet({ layout: '4d', opset: 17, half: true, exposeInternals, exposeAttentionOutputs: true });
    const tiny = build(false);
    const plain = await OrtCpuSession.create(encodeOnnxModel(build(false).model));
    const fastResult = patchControllableUnet(tiny.model, { nominalLatentSize: SIDE });
    expect(fastResult.stats.opsAdded.ScatterND ?? 0).toBe(0);
    const fast = await OrtCpuSession.create(encodeOnnxModel(fastResult.model));
    const general = await OrtCpuSession.create(
      encodeOnnxModel(patchControllableUnet(build(true).model, { nominalLatentSize: SIDE }).model),
    );
    const f = feeds(2, 4);
    const ref = await plain.run(f);
    const neutral = await fast.run({ ...f, ...neutralControls(1, T, 1, 1) });
    // Not bit for bit on the CPU EP: it runs fp16 Softmax/MatMul in fp32 behind inserted Casts and
    // can skip rounding P to fp16 between them in the plain graph, but not across the If boundary
    // (an outer-scope input is a real fp16 tensor): ~1 half ulp, as in the test above.
    for (const name of ['out_sample', tiny.selfOut, tiny.crossOut]) {
      const x = (ref[name] as F32Tensor).data;
      const scale = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxAbsDiff(x, (neutral[name] as F32Tensor).data), name).toBeLessThanOrEqual(scale * 2 ** -9);
    }
    const ctl = activeControls(1, 3, { cross: true, self: true, v: true });
    const [a, b] = [await general.run({ ...f, ...ctl }), await fast.run({ ...f, ...ctl })];
    for (const name of ['out_sample', tiny.crossOut, 'ptp_attn_4x4']) {
      const x = (a[name] as F32Tensor).data;
      const scale = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      // Half precision, and the two paths round at different places: a few half ulps.
      expect(maxAbsDiff(x, (b[name] as F32Tensor).data), name).toBeLessThanOrEqual(scale * 2 ** -8);
    }
  });
});

describe('selfMaxQueryLength', () => {
  it('leaves larger self layers unpatched and says so in the layer list', async () => {
    const tiny = buildTinyUnet({ layout: '4d', exposeInternals: true });
    const plain = await OrtCpuSession.create(encodeOnnxModel(tiny.model));
    const result = patchControllableUnet(buildTinyUnet({ layout: '4d', exposeInternals: true }).model, {
      nominalLatentSize: SIDE,
      selfMaxQueryLength: SIDE,
    });
    expect(result.layers.map((l) => [l.kind, l.controlled])).toEqual([
      ['self', false],
      ['cross', true],
    ]);
    const patched = await OrtCpuSession.create(encodeOnnxModel(result.model));
    const f = feeds(2, 8);
    const ctl = neutralControls(1, T, 1, 1);
    (ctl[C.selfAlpha] as F32Tensor).data.fill(1);
    const [a, b] = [await plain.run(f), await patched.run({ ...f, ...ctl })];
    expect(maxAbsDiff((a[tiny.selfProbs] as F32Tensor).data, (b[tiny.selfProbs] as F32Tensor).data)).toBe(0);
  });
});
