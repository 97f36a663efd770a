import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { BENCH_PACKS, openBenchPack, root } from './lib/benchPacks.js';
import { printTable } from './lib/table.js';

interface Sample {
  variant: string;
  side: number;
  steps: number;
  medianMs: number;
  minMs: number;
  maxRssMiB: number;
  item0: number[];
}

function measureOnce(
  packDir: string,
  unet: string,
  variant: 'generation' | 'edit',
  side: number,
  steps: number,
  runs: number,
): Sample {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'bench/editWorker.ts'),
      packDir,
      unet,
      variant,
      String(side),
      String(steps),
      String(runs),
    ],
    {
      encoding: 'utf8',
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * Both variants in `procs` alternating processes each (generation, edit, generation, ...): on the
 * tiny pack one process differs from the next by more than the variants do. Time is the median of
 * the per-process medians, peak RSS the largest.
 */
function measurePair(
  packDir: string,
  plain: string,
  controllable: string,
  side: number,
  steps: number,
  runs: number,
  procs: number,
): [Sample, Sample] {
  const gens: Sample[] = [];
  const edits: Sample[] = [];
  for (let p = 0; p < procs; p++) {
    gens.push(measureOnce(packDir, plain, 'generation', side, steps, runs));
    edits.push(measureOnce(packDir, controllable, 'edit', side, steps, runs));
  }
  const merge = (xs: Sample[]): Sample => ({
    ...xs[0]!,
    medianMs: median(xs.map((x) => x.medianMs)),
    minMs: Math.min(...xs.map((x) => x.minMs)),
    maxRssMiB: Math.max(...xs.map((x) => x.maxRssMiB)),
  });
  return [merge(gens), merge(edits)];
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(3)}x`;

/**
 * Wall time of one Prompt-to-Prompt edit (E = 1: word swap, cross 0.8, self 0.4, local blend) over
 * plain text-to-image of two prompts at the same batch (N = 2, B = 4) with the plain UNet. Same
 * seed, steps, guidance and scheduler; text encoding and sampling timed, session creation not.
 * Each variant runs in its own process so peak RSS is its own. CPU provider (this machine).
 */
export async function benchEditVsGeneration(): Promise<void> {
  const packs = [
    { ...BENCH_PACKS.tiny, side: 0, steps: 20, runs: 11, procs: 5 },
    { ...BENCH_PACKS.sd15, side: 32, steps: 3, runs: 3, procs: 1 },
  ];
  for (const pack of packs) {
    const opened = openBenchPack(pack);
    if (!opened) continue;
    const { manifest, plainModel } = opened;
    const [gen, edit] = measurePair(
      pack.dir,
      plainModel,
      path.join(pack.dir, manifest.unet.model),
      pack.side,
      pack.steps,
      pack.runs,
      pack.procs,
    );
    const goal = gen.medianMs * 1.1;
    printTable(
      `One edit (E=1) vs generation at the same batch (N=2, B=4), ${pack.name}, latent ${gen.side}x${gen.side}, ${pack.steps} steps, cpu provider, median of ${pack.runs} runs${pack.procs > 1 ? ` x ${pack.procs} processes` : ''}`,
      ['variant', 'ms/run', 'vs baseline', 'peak RSS MiB', 'vs baseline'],
      [
        ['generation, plain UNet (baseline)', gen.medianMs.toFixed(1), '', gen.maxRssMiB.toFixed(0), ''],
        [
          'edit: word swap + local blend',
          edit.medianMs.toFixed(1),
          `${ratio(edit.medianMs, gen.medianMs)} (goal <= 1.10x: ${edit.medianMs <= goal ? 'met' : 'NOT met'})`,
          edit.maxRssMiB.toFixed(0),
          ratio(edit.maxRssMiB, gen.maxRssMiB),
        ],
      ],
    );
    // Item 0 (the source) receives no injection: the two runs should agree on it.
    let diff = 0;
    let scale = 0;
    gen.item0.forEach((v, i) => {
      diff = Math.max(diff, Math.abs(v - edit.item0[i]!));
      scale = Math.max(scale, Math.abs(v));
    });
    console.log(
      `\nsource item, edit vs generation: max |diff| ${diff.toExponential(2)} (max |latent| ${scale.toFixed(3)})`,
    );
  }
}
