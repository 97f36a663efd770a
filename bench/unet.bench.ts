import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BENCH_PACKS, openBenchPack, root } from './lib/benchPacks.js';
import { printTable } from './lib/table.js';

interface Sample {
  variant: string;
  medianMs: number;
  maxRssMiB: number;
}

function measure(
  model: string,
  variant: string,
  edits: number,
  side: number,
  runs: number,
  manifestPath = currentManifest,
): Sample {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'bench/unetStepWorker.ts'),
      model,
      manifestPath,
      variant,
      String(edits),
      String(side),
      String(runs),
    ],
    { encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

let currentManifest = '';
const pct = (a: number, b: number) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;

/**
 * UNet step time and peak memory, controllable vs plain, at batch 2(1+E) for E = 1 and 3.
 * Each variant runs in its own process so peak RSS is its own. CPU provider (this machine).
 */
export async function benchUnet(): Promise<void> {
  const packs = [
    { ...BENCH_PACKS.tiny, side: 0, runs: 20 },
    { ...BENCH_PACKS.sd15, side: 32, runs: 3 },
  ];
  for (const pack of packs) {
    const opened = openBenchPack(pack);
    if (!opened) continue;
    const { manifest, plainModel } = opened;
    currentManifest = opened.manifestPath;
    const side = pack.side || manifest.nominalLatentSize[0];
    const rows: (string | number)[][] = [];
    for (const edits of [1, 3]) {
      const plain = measure(plainModel, 'plain', edits, side, pack.runs);
      const neutral = measure(path.join(pack.dir, manifest.unet.model), 'neutral', edits, side, pack.runs);
      const active = measure(path.join(pack.dir, manifest.unet.model), 'active', edits, side, pack.runs);
      rows.push(
        [
          `E=${edits}, B=${2 * (1 + edits)}`,
          'plain (baseline)',
          plain.medianMs.toFixed(1),
          '',
          plain.maxRssMiB.toFixed(0),
          '',
        ],
        [
          '',
          'controllable, neutral',
          neutral.medianMs.toFixed(1),
          `${pct(neutral.medianMs, plain.medianMs)} (goal <= +3%)`,
          neutral.maxRssMiB.toFixed(0),
          `${pct(neutral.maxRssMiB, plain.maxRssMiB)} (goal <= +5%)`,
        ],
        [
          '',
          'controllable, all controls active',
          active.medianMs.toFixed(1),
          `${pct(active.medianMs, plain.medianMs)} (goal <= +10%)`,
          active.maxRssMiB.toFixed(0),
          pct(active.maxRssMiB, plain.maxRssMiB),
        ],
      );
    }
    printTable(
      `UNet step, ${pack.name}, latent ${side}x${side}, cpu provider, median of ${pack.runs}`,
      ['batch', 'variant', 'ms/step', 'vs plain', 'peak RSS MiB', 'vs plain'],
      rows,
    );
  }
}
