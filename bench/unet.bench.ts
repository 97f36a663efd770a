import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { root } from './lib/benchPacks.js';
import { printTable } from './lib/table.js';
import { prepareUnetVariants, type UnetModel } from './lib/unetVariants.js';

interface Sample {
  variant: string;
  medianMs: number;
  maxRssMiB: number;
}

/** One variant in its own process, so peak RSS is its own. */
function measure(unet: UnetModel, variant: string, edits: number, side: number, runs: number): Sample {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'bench/unetStepWorker.ts'),
      unet.model,
      unet.manifestPath,
      variant,
      String(edits),
      String(side),
      String(runs),
    ],
    { encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

const PACKS = [
  { name: 'tiny-random', exportDir: path.join(root, 'models/exports/tiny-random'), side: 8, runs: 20 },
  {
    name: 'sd15-shaped (256x256)',
    exportDir: path.join(root, process.env.PTP_BENCH_SD15_EXPORT ?? 'models/generated/sd15-shaped'),
    side: 32,
    runs: 3,
  },
];

/**
 * UNet step time and peak memory at batch 2(1+E) for E = 1 and 3: the export's plain UNet (the
 * baseline), the same with all attention fused (com.microsoft MultiHeadAttention, as ORT's
 * optimizer leaves it), the fully controllable import and the default import (self layers beyond
 * the limit fused), under neutral and under all-active controls. CPU provider (this machine).
 * PTP_BENCH_SD15_EXPORT picks another SD-shaped export, e.g. models/generated/sd15-shaped-shrink8.
 */
export async function benchUnet(): Promise<void> {
  for (const pack of PACKS) {
    const v = await prepareUnetVariants(pack.exportDir);
    if (!v) {
      console.log(
        `\n(${pack.name}: no export at ${pack.exportDir}. Make it with: /usr/bin/python3 models/make_pack.py --preset sd15-shaped [--shrink 8])`,
      );
      continue;
    }
    try {
      const rows: (string | number)[][] = [];
      for (const edits of [1, 3]) {
        const m = (unet: UnetModel, variant: string) => measure(unet, variant, edits, pack.side, pack.runs);
        const plain = m(v.plain, 'plain');
        const fusedPlain = m(v.fusedPlain, 'plain');
        const samples: [string, Sample, string][] = [
          ['plain (baseline)', plain, ''],
          ['plain, all attention fused', fusedPlain, ''],
          ['controllable, neutral', m(v.controllable, 'neutral'), 'goal <= +3%'],
          ['controllable, all controls active', m(v.controllable, 'active'), 'goal <= +10%'],
          [`partly fused (${v.partlyFused.fusedLayers} self layers), neutral`, m(v.partlyFused, 'neutral'), ''],
          [`partly fused, all controls active`, m(v.partlyFused, 'active'), ''],
        ];
        samples.forEach(([label, s, goal], i) =>
          rows.push([
            i === 0 ? `E=${edits}, B=${2 * (1 + edits)}` : '',
            label,
            s.medianMs.toFixed(1),
            i === 0 ? '' : `${pct(s.medianMs, plain.medianMs)}${goal ? ` (${goal})` : ''}`,
            i <= 1 ? '' : ratio(s.medianMs, fusedPlain.medianMs),
            s.maxRssMiB.toFixed(0),
            i === 0 ? '' : pct(s.maxRssMiB, plain.maxRssMiB),
          ]),
        );
      }
      printTable(
        `UNet step, ${pack.name}, latent ${pack.side}x${pack.side}, cpu provider, median of ${pack.runs}`,
        ['batch', 'variant', 'ms/step', 'vs plain', 'vs fused plain', 'peak RSS MiB', 'vs plain'],
        rows,
      );
    } finally {
      await v.cleanup();
    }
  }
}
