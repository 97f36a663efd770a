import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrtCpuSession } from '../backends/OrtCpuSession.js';
import { decodeOnnxModel, encodeOnnxModel, readOnnxModel } from './OnnxModel.js';
import { importPack } from './importPack.js';
import { sha256File } from './packFiles.js';
import { PTP_MANIFEST_FILE, PtpManifestSchema } from '@ptp/nodes/diffusion';
import type { ModelProto } from './onnxProto.js';
import { buildTinyUnet } from './testing/buildTinyUnet.js';
import { externalizeWeights } from './testing/externalizeWeights.js';
import { FIXTURES, TOY_PACK, maxAbsDiff, neutralControls, randomTensor, seededRandom } from './testing/unetTestKit.js';

let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'ptp-import-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** An optimum-layout export: the toy pack's other components plus the given UNet. */
async function fakeExport(
  name: string,
  unet: ModelProto,
  data?: { location: string; bytes: Uint8Array },
): Promise<string> {
  const dir = join(tmp, name);
  for (const part of ['text_encoder', 'vae_decoder', 'tokenizer', 'scheduler'])
    await cp(join(TOY_PACK, part), join(dir, part), { recursive: true });
  await mkdir(join(dir, 'unet'), { recursive: true });
  await writeFile(join(dir, 'unet/model.onnx'), encodeOnnxModel(unet));
  if (data) await writeFile(join(dir, 'unet', data.location), data.bytes);
  return dir;
}

async function leftovers(prefix: string): Promise<string[]> {
  return (await readdir(tmp)).filter((f) => f.startsWith(prefix));
}

describe('importPack', () => {
  it('imports the toy export: patched UNet, plain UNet kept, manifest', async () => {
    const packDir = join(tmp, 'packs/toy');
    const { manifest } = await importPack(TOY_PACK, packDir);
    const onDisk = PtpManifestSchema.parse(JSON.parse(await readFile(join(packDir, PTP_MANIFEST_FILE), 'utf8')));
    expect(onDisk).toEqual(manifest);
    expect(manifest).toMatchObject({
      tokenLength: 77,
      latentChannels: 4,
      nominalLatentSize: [64, 64],
      unet: {
        plain: 'unet/plain.onnx',
        externalData: [],
        io: {
          sample: 'sample',
          timestep: 'timestep',
          encoderHiddenStates: 'encoder_hidden_states',
          output: 'out_sample',
        },
      },
    });
    expect(manifest.layers.filter((l) => l.kind === 'self')).toHaveLength(11);
    expect(manifest.layers.filter((l) => l.kind === 'cross')).toHaveLength(11);
    expect(manifest.attentionOutputs).toEqual(['ptp_attn_32x32', 'ptp_attn_16x16', 'ptp_attn_8x8']);
    expect(manifest.components.vaeEncoder).toBeNull();
    const unetEntry = manifest.sourceFiles.find((f) => f.path === 'unet/model.onnx');
    expect(unetEntry?.sha256).toBe(await sha256File(join(TOY_PACK, 'unet/model.onnx')));
    expect(manifest.sourceFiles.map((f) => f.path)).toContain('tokenizer/vocab.json');
    const plain = await readFile(join(packDir, 'unet/plain.onnx'));
    expect(plain.equals(await readFile(join(TOY_PACK, 'unet/model.onnx')))).toBe(true);
    const patched = decodeOnnxModel(await readFile(join(packDir, 'unet/model.onnx')));
    expect(patched.graph?.input?.map((v) => v.name)).toEqual([
      'sample',
      'timestep',
      'encoder_hidden_states',
      'ptp_cross_alpha',
      'ptp_cross_mapper',
      'ptp_equalizer',
      'ptp_cross_keep',
      'ptp_self_alpha',
      'ptp_v_beta',
    ]);
    console.info(
      `[toy pack] unet model.onnx ${manifest.patch.modelBytesBefore} -> ${manifest.patch.modelBytesAfter} bytes`,
    );
  });

  it('keeps external data next to the patched model and runs it from the pack', async () => {
    const { model } = buildTinyUnet({ layout: '4d' });
    const bytes = externalizeWeights(model, 'model.onnx_data');
    const exportDir = await fakeExport('export-external', model, { location: 'model.onnx_data', bytes });
    const packDir = join(tmp, 'pack-external');
    const { manifest } = await importPack(exportDir, packDir);
    expect(manifest.unet.externalData).toEqual(['unet/model.onnx_data']);
    expect(manifest.unet.plain).toBe('unet/plain.onnx');
    expect(Buffer.from(await readFile(join(packDir, 'unet/model.onnx_data'))).equals(Buffer.from(bytes))).toBe(true);

    const [plain, patched] = await Promise.all([
      OrtCpuSession.create(join(packDir, 'unet/plain.onnx')),
      OrtCpuSession.create(join(packDir, 'unet/model.onnx')),
    ]);
    const rand = seededRandom(3);
    const feeds = {
      sample: randomTensor([4, 4, 4, 4], rand),
      timestep: { data: Float32Array.of(3), dims: [] },
      encoder_hidden_states: randomTensor([4, 5, 6], rand),
    };
    const a = await plain.run(feeds);
    const b = await patched.run({ ...feeds, ...neutralControls(1, 5, 1, 1) });
    expect(
      maxAbsDiff(a.out_sample?.data ?? new Float32Array(), b.out_sample?.data ?? new Float32Array(1)),
    ).toBeLessThanOrEqual(1e-6);
    await Promise.all([plain.release(), patched.release()]);
  });

  it.each([
    ['a ".." path', '../outside.bin'],
    ['an absolute path', '/etc/hostname'],
    ['a symlink out of the folder', 'model.onnx_data'],
  ])('refuses external data through %s, leaving no pack behind', async (_what, location) => {
    const { model } = buildTinyUnet({ layout: 'folded' });
    const bytes = externalizeWeights(model, location);
    const name = `escape-${location.replace(/\W/g, '')}`;
    const exportDir = await fakeExport(name, model);
    await writeFile(join(tmp, 'outside.bin'), bytes);
    if (location === 'model.onnx_data')
      await symlink(join(tmp, 'outside.bin'), join(exportDir, 'unet/model.onnx_data'));
    const packDir = join(tmp, `${name}-pack`);
    await expect(importPack(exportDir, packDir)).rejects.toMatchObject({
      code: 'EXTERNAL_DATA_ESCAPES',
      message: expect.stringMatching(/outside|\.\.|absolute/),
    });
    expect(await leftovers(`${name}-pack`)).toEqual([]);
  });

  it('imports a fused export: keeps the self layers beyond the limit fused (default) or expands them all', async () => {
    const fused = await readOnnxModel(join(FIXTURES, 'unet-fused/model.onnx'));
    const exportDir = await fakeExport('export-fused', fused);
    const byDefault = (await importPack(exportDir, join(tmp, 'pack-fused'))).manifest;
    expect(byDefault.patch).toMatchObject({ layersExpanded: 11, layersFused: 3 });
    const kept = byDefault.layers.filter((l) => l.fusedNode);
    expect(kept.every((l) => l.kind === 'self' && l.downsample === 1 && !l.controlled)).toBe(true);
    expect(kept.map((l) => l.fusedNode)).toEqual(kept.map((l) => `${l.id}/Attention`));
    const all = (await importPack(exportDir, join(tmp, 'pack-fused-all'), { fuseUncontrolled: false })).manifest;
    expect(all.patch).toMatchObject({ layersExpanded: 14, layersFused: 0 });
    expect(all.layers.every((l) => l.controlled)).toBe(true);
    const wider = (await importPack(exportDir, join(tmp, 'pack-fused-4'), { selfControlDivisor: 4 })).manifest;
    expect(wider.layers.filter((l) => l.fusedNode).map((l) => l.downsample)).toEqual([1, 2, 2, 2, 1, 1]);
  });

  it('refuses a non-empty pack folder and an incomplete export with structured errors', async () => {
    const busy = join(tmp, 'busy');
    await mkdir(busy);
    await writeFile(join(busy, 'keep.txt'), 'mine');
    await expect(importPack(TOY_PACK, busy)).rejects.toMatchObject({ code: 'PACK_DIR_NOT_EMPTY' });
    expect(await readFile(join(busy, 'keep.txt'), 'utf8')).toBe('mine');
    const partial = join(tmp, 'partial');
    await cp(join(TOY_PACK, 'unet'), join(partial, 'unet'), { recursive: true });
    const err = await importPack(partial, join(tmp, 'partial-pack')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'MISSING_COMPONENT', path: 'text_encoder/model.onnx' });
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      code: 'MISSING_COMPONENT',
      message: expect.stringContaining('optimum'),
    });
  });
});
