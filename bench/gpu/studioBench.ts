/**
 * The studio's side of the GPU bench (bench/gpu/gpuBench.py drives it), bundled by
 * bench/gpu/makeCarry.sh into one .mjs that runs on a bare `node` next to onnxruntime-node:
 *
 *   node studioBench.mjs import <exportDir> <packDir> [--no-fuse-uncontrolled]
 *   node studioBench.mjs fused-plain <unetDir> <outDir>
 *   node studioBench.mjs run <packDir> <unet.onnx> <generation|edit> <latentSide> <steps> <provider> [warmupSteps]
 *
 * `run` makes the sessions, warms up with a short run, then times one full run: per-step wall
 * times (from the sampler's progress callback) and the total. generation: text to image of the
 * source and target prompts in one batch (N = 2, B = 4), no controls; edit: the same prompts as a
 * word swap (cat -> dog) with a local blend, E = 1 (N = 2, B = 4), reference defaults (cross 0.8,
 * self 0.4 up to latent/4, k 0.3). Prints one JSON line.
 */
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import type { Provider } from '@ptp/runner/backends/providers';
import { importPack } from '@ptp/runner/onnx';
import { benchCase, loadBenchPack, parseVariant, SEED } from '../lib/editBenchCase.js';
import { writeFusedPlain } from '../lib/unetVariants.js';

async function importCommand(exportDir: string, packDir: string, flags: string[]): Promise<void> {
  const t0 = performance.now();
  const { manifest } = await importPack(exportDir, packDir, {
    fuseUncontrolled: !flags.includes('--no-fuse-uncontrolled'),
  });
  const fused = manifest.layers.filter((l) => l.fusedNode).length;
  console.log(JSON.stringify({ imported: packDir, seconds: (performance.now() - t0) / 1000, fusedLayers: fused }));
}

/** The plain UNet with every attention layer as com.microsoft MultiHeadAttention; data files placed beside it. */
async function fusedPlainCommand(unetDir: string, outDir: string): Promise<void> {
  const { out, fused, skipped } = await writeFusedPlain(unetDir, outDir, { allowSkipped: true });
  console.log(JSON.stringify({ fusedPlain: out, fused, skipped }));
}

async function runCommand(args: string[]): Promise<void> {
  const [packDir, unetFile, variantArg, sideArg, stepsArg, provider, warmupArg] = args as [
    string,
    string,
    string,
    string,
    string,
    Provider,
    string | undefined,
  ];
  const variant = parseVariant(variantArg);
  const steps = Number(stepsArg);
  const warmupSteps = Number(warmupArg ?? 2);
  const t0 = performance.now();
  const backend = new OrtNodeBackend({ provider });
  const { pack, latentChannels } = await loadBenchPack(backend, packDir, unetFile, variant);
  const sessionSeconds = (performance.now() - t0) / 1000;
  const side = Number(sideArg);
  const { generation, edit } = benchCase(pack, {
    latentChannels,
    side,
    seed: SEED,
    maxMemoryBytes: Number.MAX_SAFE_INTEGER,
  });
  const run = variant === 'generation' ? generation : edit;
  const once = (n: number, progress: (v: number) => void) => run({ steps: n, progress });

  const tw = performance.now();
  await once(warmupSteps, () => undefined);
  const warmupSeconds = (performance.now() - tw) / 1000;
  const marks: number[] = [];
  const start = performance.now();
  const latents = await once(steps, () => marks.push(performance.now()));
  const totalSeconds = (performance.now() - start) / 1000;
  const stepMs = marks.map((m, i) => m - (i === 0 ? start : marks[i - 1]!));
  const sorted = [...stepMs].sort((a, b) => a - b);
  let sum = 0;
  for (const x of latents) sum += Math.abs(x);
  console.log(
    JSON.stringify({
      variant,
      provider,
      unet: unetFile,
      side,
      steps,
      unetCalls: stepMs.length,
      sessionSeconds,
      warmupSeconds,
      totalSeconds,
      medianStepMs: sorted[Math.floor(sorted.length / 2)],
      minStepMs: sorted[0],
      maxStepMs: sorted.at(-1),
      stepMs: stepMs.map((x) => Math.round(x * 10) / 10),
      meanAbsLatent: sum / latents.length,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'import') await importCommand(rest[0]!, rest[1]!, rest.slice(2));
else if (command === 'fused-plain') await fusedPlainCommand(rest[0]!, rest[1]!);
else if (command === 'run') await runCommand(rest);
else {
  console.error('usage: studioBench.mjs import|fused-plain|run ...');
  process.exit(2);
}
