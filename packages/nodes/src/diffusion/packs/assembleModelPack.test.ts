import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ModelSession } from '../../runtime/InferenceBackend.js';
import { DdimInverseScheduler, DdimScheduler, EulerScheduler, PndmScheduler } from '../schedulers/index.js';
import { assembleModelPack, listPackInfos, packInfo } from './assembleModelPack.js';
import { parsePack } from './parsePack.js';

// The bundled tiny pack (committed under models/packs), read the way the Node backend reads it.
const packDir = fileURLToPath(new URL('../../../../../models/packs/tiny-random', import.meta.url));
const parseTiny = () => parsePack((rel) => readFile(path.join(packDir, ...rel.split('/')), 'utf8'), packDir);

function fakeSession(file: string): ModelSession & { file: string } {
  return { file, inputNames: [], outputNames: [], inputMeta: () => undefined, run: async () => ({}) };
}

describe('assembleModelPack', () => {
  it('puts a ModelPack together from the parsed pack and the sessions the backend creates', async () => {
    const files = await parseTiny();
    const calls: [string, readonly string[]][] = [];
    const pack = await assembleModelPack('tiny', files, async (file, externalData) => {
      calls.push([file, externalData]);
      return fakeSession(file);
    });
    expect(calls.sort()).toEqual(
      [
        ['text_encoder/model.onnx', []],
        ['unet/model.onnx', files.manifest.unet.externalData],
        ['vae_decoder/model.onnx', []],
        ['vae_encoder/model.onnx', []],
      ].sort(),
    );
    expect(pack).toMatchObject({
      id: 'tiny',
      tokenizer: files.tokenizer,
      textEncoder: { file: 'text_encoder/model.onnx' },
      unet: { file: 'unet/model.onnx' },
      vaeDecoder: { file: 'vae_decoder/model.onnx' },
      vaeEncoder: { file: 'vae_encoder/model.onnx' },
      layout: files.manifest,
      vaeScalingFactor: files.vaeScalingFactor,
      vaeScale: 8,
      defaultImageSize: files.manifest.nominalLatentSize[0] * 8,
    });
    expect(pack.createScheduler()).toBeInstanceOf(PndmScheduler); // the pack's own scheduler_config.json
    expect(pack.createScheduler('ddim')).toBeInstanceOf(DdimScheduler);
    expect(pack.createScheduler('euler')).toBeInstanceOf(EulerScheduler);
    expect(pack.createInverseScheduler?.()).toBeInstanceOf(DdimInverseScheduler);
  });

  it('leaves vaeEncoder out when the pack has none', async () => {
    const files = await parseTiny();
    const noEncoder = {
      ...files,
      manifest: { ...files.manifest, components: { ...files.manifest.components, vaeEncoder: null } },
    };
    const pack = await assembleModelPack('tiny', noEncoder, async (file) => fakeSession(file));
    expect('vaeEncoder' in pack).toBe(false);
  });

  it('fails when a session cannot be created', async () => {
    const files = await parseTiny();
    await expect(
      assembleModelPack('tiny', files, async (file) =>
        file.startsWith('unet/') ? Promise.reject(new Error('no unet')) : fakeSession(file),
      ),
    ).rejects.toThrow('no unet');
  });
});

describe('listPackInfos', () => {
  it('describes each readable pack in order and leaves out the unreadable ones', async () => {
    const files = await parseTiny();
    const infos = await listPackInfos([
      { id: 'b', parse: async () => files },
      { id: 'broken', parse: () => Promise.reject(new Error('bad manifest')) },
      { id: 'a', parse: async () => files },
    ]);
    expect(infos).toEqual([packInfo('b', files), packInfo('a', files)]);
    expect(infos[0]).toEqual({ id: 'b', name: 'tiny-random', defaultImageSize: 64 });
  });
});
