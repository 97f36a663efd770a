import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkExternalData,
  decodeOnnxModel,
  encodeOnnxModel,
  findAttentionLayers,
  fuseAttentionLayers,
  importPack,
  placeFile,
} from '@ptp/runner/onnx';

/** One UNet to time: its model file and a manifest naming its inputs (and controls, when it has them). */
export interface UnetModel {
  model: string;
  manifestPath: string;
}

/** The four UNets the step bench compares, all made from one export in a scratch folder. */
export interface UnetVariants {
  /** The export's UNet as it is. */
  plain: UnetModel;
  /** The same with every attention layer as com.microsoft MultiHeadAttention (what ORT's optimizer makes). */
  fusedPlain: UnetModel;
  /** `ptp models import --no-fuse-uncontrolled`: every layer controllable. */
  controllable: UnetModel;
  /** `ptp models import` (default): self layers beyond the limit fused, the rest controllable. */
  partlyFused: UnetModel & { fusedLayers: number };
  cleanup(): Promise<void>;
}

/**
 * Imports `exportDir` twice (fully controllable, partly fused) and writes a fully fused plain UNet,
 * into a scratch folder; external data is hard-linked (copied across file systems), never loaded.
 */
export async function prepareUnetVariants(exportDir: string): Promise<UnetVariants | undefined> {
  if (!existsSync(path.join(exportDir, 'unet/model.onnx'))) return undefined;
  const scratch = await mkdtemp(path.join(tmpdir(), 'ptp-bench-unet-'));
  const manifest = (dir: string) => path.join(dir, 'ptp-manifest.json');
  const full = path.join(scratch, 'controllable');
  await importPack(exportDir, full, { fuseUncontrolled: false, keepPlainMaxBytes: 0 });
  const partly = path.join(scratch, 'partly-fused');
  const imported = await importPack(exportDir, partly, { keepPlainMaxBytes: 0 });
  const { out: fusedPlain } = await writeFusedPlain(path.join(exportDir, 'unet'), path.join(scratch, 'fused-plain'));
  return {
    plain: { model: path.join(exportDir, 'unet/model.onnx'), manifestPath: manifest(full) },
    fusedPlain: { model: fusedPlain, manifestPath: manifest(full) },
    controllable: { model: path.join(full, 'unet/model.onnx'), manifestPath: manifest(full) },
    partlyFused: {
      model: path.join(partly, 'unet/model.onnx'),
      manifestPath: manifest(partly),
      fusedLayers: imported.manifest.patch.layersFused ?? 0,
    },
    cleanup: () => rm(scratch, { recursive: true, force: true }),
  };
}

/**
 * The plain UNet with every attention layer fused (com.microsoft MultiHeadAttention); its external
 * data placed beside it. A layer that cannot be fused is an error unless `allowSkipped`.
 */
export async function writeFusedPlain(
  unetDir: string,
  outDir: string,
  options: { allowSkipped?: boolean } = {},
): Promise<{ out: string; fused: number; skipped: number }> {
  const model = decodeOnnxModel(await readFile(path.join(unetDir, 'model.onnx')));
  const data = await checkExternalData(model, unetDir, unetDir);
  const { fused, skipped } = fuseAttentionLayers(model, findAttentionLayers(model));
  if (skipped.size && !options.allowSkipped)
    throw new Error(`fused plain UNet: ${skipped.size} layer(s) not fused: ${[...skipped.values()][0]}`);
  await mkdir(outDir, { recursive: true });
  const out = path.join(outDir, 'model.onnx');
  await writeFile(out, encodeOnnxModel(model));
  for (const f of data) await placeFile(path.join(unetDir, f), path.join(outDir, f));
  return { out, fused: fused.size, skipped: skipped.size };
}
