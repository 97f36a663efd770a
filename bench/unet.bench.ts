import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { root } from './lib/benchPacks.js';
import { printTable } from './lib/table.js';
import { prepareUnetVariants, type UnetModel } from './lib/unetVariants.js';

interface Sample {
  variant: string;
  medianMs: number;
  minMs: number;
  minCpuMs: number;
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

/** Every variant runs this many times, interleaved (A B C .. A B C ..): contention on a shared machine hits all alike. */
const ROUNDS = Number(process.env.PTP_BENCH_UNET_ROUNDS ?? 2);
/** PTP_BENCH_UNET_THREADS (read by the worker): 1 gives stable CPU-time ratios on a loaded machine. */
const THREADS = Number(process.env.PTP_BENCH_UNET_THREADS ?? 0);
/** Edit counts to measure (PTP_BENCH_UNET_EDITS=1 halves a long full-size run). */
const EDITS = (process.env.PTP_BENCH_UNET_EDITS ?? '1,3').split(',').map(Number);

/** Best of the rounds: the lowest step time and median, the highest RSS. */
function best(samples: Sample[]): Sample {
  return {
    variant: samples[0]!.variant,
    medianMs: Math.min(...samples.map((s) => s.medianMs)),
    minMs: Math.min(...samples.map((s) => s.minMs)),
    minCpuMs: Math.min(...samples.map((s) => s.minCpuMs)),
    maxRssMiB: Math.max(...samples.map((s) => s.maxRssMiB)),
  };
}

const PACKS = [
  { name: 'tiny-random', exportDir: path.join(root, 'models/exports/tiny-random'), side: 8, runs: 20 },
  {
    name: 'sd15-shaped (256x256)',
    exportDir: path.join(root, process.env.PTP_BENCH_SD15_EXPORT ?? 'models/generated/sd15-shaped'),
    side: 32,
    runs: Number(process.env.PTP_BENCH_SD15_RUNS ?? 3),
  },
];

/**
 * UNet step time and peak memory at batch 2(1+E) for E = 1 and 3: the export's plain UNet (the
 * baseline), the same with all attention fused (com.microsoft MultiHeadAttention, as ORT's
 * optimizer leaves it), the fully controllable import and the default import (self layers beyond
 * the limit fused), under neutral and under all-active controls. CPU provider (this machine).
 * PTP_BENCH_SD15_EXPORT picks another SD-shaped export, e.g. models/generated/sd15-shaped-shrink8;
 * PTP_BENCH_SD15_RUNS its runs per process; PTP_BENCH_UNET_ROUNDS the interleaved rounds (default 2);
 * PTP_BENCH_UNET_EDITS the edit counts (default 1,3); PTP_BENCH_UNET_THREADS the worker's threads.
 * Ratios use the best step of all rounds (the least disturbed by other work on the machine), in
 * wall time and in the process's CPU time (user + system: what the step costs, whoever else runs).
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
      for (const edits of EDITS) {
        const variants: [string, UnetModel, string, string][] = [
          ['plain (baseline)', v.plain, 'plain', ''],
          ['plain, all attention fused', v.fusedPlain, 'plain', ''],
          ['controllable, neutral', v.controllable, 'neutral', 'goal <= +3%'],
          ['controllable, all controls active', v.controllable, 'active', 'goal <= +10%'],
          [`partly fused (${v.partlyFused.fusedLayers} self layers), neutral`, v.partlyFused, 'neutral', ''],
          ['partly fused, all controls active', v.partlyFused, 'active', ''],
        ];
        const samples: Sample[][] = variants.map(() => []);
        for (let round = 0; round < ROUNDS; round++)
          variants.forEach(([, unet, variant], i) =>
            samples[i]!.push(measure(unet, variant, edits, pack.side, pack.runs)),
          );
        const [plain, fusedPlain] = [best(samples[0]!), best(samples[1]!)];
        variants.forEach(([label, , , goal], i) => {
          const s = best(samples[i]!);
          rows.push([
            i === 0 ? `E=${edits}, B=${2 * (1 + edits)}` : '',
            label,
            s.minMs.toFixed(1),
            s.minCpuMs.toFixed(1),
            i === 0 ? '' : `${pct(s.minMs, plain.minMs)}${goal ? ` (${goal})` : ''}`,
            i === 0 ? '' : pct(s.minCpuMs, plain.minCpuMs),
            i <= 1 ? '' : ratio(s.minCpuMs, fusedPlain.minCpuMs),
            s.maxRssMiB.toFixed(0),
            i === 0 ? '' : pct(s.maxRssMiB, plain.maxRssMiB),
          ]);
        });
      }
      printTable(
        `UNet step, ${pack.name}, latent ${pack.side}x${pack.side}, cpu provider${THREADS ? `, ${THREADS} thread(s)` : ''}, ${ROUNDS} interleaved rounds of ${pack.runs} runs`,
        [
          'batch',
          'variant',
          'best ms/step',
          'best CPU ms',
          'vs plain (wall)',
          'vs plain (CPU)',
          'vs fused plain (CPU)',
          'peak RSS MiB',
          'vs plain',
        ],
        rows,
      );
    } finally {
      await v.cleanup();
    }
  }
}
