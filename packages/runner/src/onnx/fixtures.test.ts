import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrtCpuSession } from '../backends/OrtCpuSession.js';
import type { F32Tensor } from '../backends/OrtCpuSession.js';
import { encodeOnnxModel, readOnnxModel } from './OnnxModel.js';
import { checkExternalData } from './checkExternalData.js';
import { findAttentionLayers } from './findAttentionLayers.js';
import { int64ToNumber } from './onnxProto.js';
import type { ModelProto } from './onnxProto.js';
import { placeFile } from './packFiles.js';
import { patchControllableUnet } from './patchControllableUnet.js';
import { PTP_CONTROL_INPUTS as C } from '@ptp/nodes/diffusion';
import {
  FIXTURES,
  item,
  maxAbsDiff,
  neutralControls,
  syncKeep,
  randomTensor,
  seededRandom,
} from './testing/unetTestKit.js';

// Fixtures made by models/make_fixtures.py (another part of the project); skipped until they exist.
const fixture = (name: string): string => join(FIXTURES, name, 'model.onnx');
const LATENT = 8;
const T = 77;

function feedsFor(model: ModelProto, n: number, seed: number): Record<string, F32Tensor> {
  const dim = (input: string, axis: number): number =>
    int64ToNumber(model.graph?.input?.find((v) => v.name === input)?.type?.tensor_type?.shape?.dim?.[axis]?.dim_value);
  const rand = seededRandom(seed);
  return {
    sample: randomTensor([2 * n, dim('sample', 1) || 4, LATENT, LATENT], rand),
    timestep: { data: Float32Array.of(321), dims: [] },
    encoder_hidden_states: randomTensor([2 * n, T, dim('encoder_hidden_states', 2)], rand),
  };
}

/** Patches `path` and checks neutral controls reproduce the plain model for each N. */
async function expectNeutral(plainPath: string, patchedModelPath: string | null, model: ModelProto, ns: number[]) {
  const counts = { self: 0, cross: 0 };
  const result = patchControllableUnet(model, { nominalLatentSize: LATENT });
  for (const l of result.layers) counts[l.kind]++;
  const plain = await OrtCpuSession.create(plainPath);
  const patched = await OrtCpuSession.create(patchedModelPath ?? encodeOnnxModel(result.model));
  const diffs: number[] = [];
  for (const n of ns) {
    const feeds = feedsFor(model, n, n);
    const ref = await plain.run(feeds);
    const out = await patched.run({ ...feeds, ...neutralControls(n - 1, T, counts.self, counts.cross) });
    diffs.push(maxAbsDiff(ref.out_sample?.data ?? new Float32Array(), out.out_sample?.data ?? new Float32Array(1)));
  }
  return { result, plain, patched, counts, diffs };
}

describe('fixture unet-torch113', () => {
  it('patches (heads folded) and is neutral at E = 0 and 1', async () => {
    const model = await readOnnxModel(fixture('unet-torch113'));
    const { result, diffs, plain, patched } = await expectNeutral(fixture('unet-torch113'), null, model, [1, 2]);
    expect(result.layers.every((l) => l.layout === 'folded')).toBe(true);
    console.info(
      `[fixture unet-torch113] ${result.layers.length} layers, groups ${result.attentionOutputs.join(', ')}, neutral diffs ${diffs.join(', ')}`,
    );
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
    await Promise.all([plain.release(), patched.release()]);
  });
});

describe('fixture unet-sdpa (torch 2 SDPA decomposition)', () => {
  it('finds 4-D layers, patches, is neutral at E = 0, 1, 3 and injects cross maps', async () => {
    const model = await readOnnxModel(fixture('unet-sdpa'));
    expect(findAttentionLayers(model).every((l) => l.layout === '4d')).toBe(true);
    const { result, diffs, plain, patched, counts } = await expectNeutral(fixture('unet-sdpa'), null, model, [1, 2, 4]);
    console.info(`[fixture unet-sdpa] ${result.layers.length} layers, neutral diffs ${diffs.join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
    const ctl = neutralControls(1, T, counts.self, counts.cross);
    (ctl[C.crossAlpha] as F32Tensor).data.fill(1);
    const out = await patched.run({ ...feedsFor(model, 2, 9), ...syncKeep(ctl) });
    for (const name of result.attentionOutputs) {
      const maps = out[name] as F32Tensor;
      expect(maxAbsDiff(item(maps, 1), item(maps, 0)), name).toBeLessThan(1e-6);
    }
    await Promise.all([plain.release(), patched.release()]);
  });
});

// unet-fused: fusedAttention.test.ts (expanded, or kept fused where no control reaches).

describe('fixture unet-external', () => {
  it('patches without loading the data and runs with the data placed next to the new model', async () => {
    const dir = join(FIXTURES, 'unet-external');
    const model = await readOnnxModel(fixture('unet-external'));
    const data = await checkExternalData(model, dir, dir);
    expect(data).toEqual(['model.onnx_data']);
    const out = await mkdtemp(join(tmpdir(), 'ptp-fixture-ext-'));
    try {
      const result = patchControllableUnet(model, { nominalLatentSize: LATENT });
      await writeFile(join(out, 'model.onnx'), encodeOnnxModel(result.model));
      await placeFile(join(dir, 'model.onnx_data'), join(out, 'model.onnx_data'));
      const { diffs, plain, patched } = await expectNeutral(
        fixture('unet-external'),
        join(out, 'model.onnx'),
        await readOnnxModel(fixture('unet-external')),
        [2],
      );
      for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-4);
      await Promise.all([plain.release(), patched.release()]);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});
