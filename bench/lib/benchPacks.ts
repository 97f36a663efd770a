import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The packs the model benchmarks compare on: the committed tiny one and the generated SD-shaped one. */
export const BENCH_PACKS = {
  tiny: {
    name: 'tiny-random',
    dir: path.join(root, 'models/packs/tiny-random'),
    plain: path.join(root, 'models/exports/tiny-random/unet/model.onnx'),
  },
  sd15: { name: 'sd15-shaped (256x256)', dir: path.join(root, 'models/generated/sd15-shaped-pack'), plain: '' },
} as const;

export interface OpenedPack {
  manifestPath: string;
  manifest: { nominalLatentSize: [number, number]; unet: { model: string; plain: string | null } };
  /** The plain UNet to compare against. */
  plainModel: string;
}

/** The pack's manifest and plain UNet, or undefined after printing how to make what is missing. */
export function openBenchPack(pack: { name: string; dir: string; plain: string }): OpenedPack | undefined {
  const manifestPath = path.join(pack.dir, 'ptp-manifest.json');
  if (!existsSync(manifestPath)) {
    console.log(
      `\n(${pack.name}: not found at ${pack.dir}. Make it with: /usr/bin/python3 models/make_pack.py --preset sd15-shaped --out models/generated/sd15-shaped && pnpm ptp models import models/generated/sd15-shaped models/generated/sd15-shaped-pack)`,
    );
    return undefined;
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const plainModel = pack.plain || (manifest.unet.plain ? path.join(pack.dir, manifest.unet.plain) : '');
  if (!plainModel) {
    console.log(`\n(${pack.name}: no plain UNet to compare against; import it without --no-plain)`);
    return undefined;
  }
  return { manifestPath, manifest, plainModel };
}
