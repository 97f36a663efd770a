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
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  denoise,
  encodeText,
  randn,
  sampleEdits,
  type ModelPack,
  type ModelSession,
  type ScheduleSpec,
  type Tensor,
} from '@ptp/nodes';
import { createScheduler } from '@ptp/nodes/diffusion';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import type { Provider } from '@ptp/runner/backends/providers';
import {
  checkExternalData,
  decodeOnnxModel,
  encodeOnnxModel,
  findAttentionLayers,
  fuseAttentionLayers,
  importPack,
  placeFile,
} from '@ptp/runner/onnx';
import { readPack } from '@ptp/runner/packs/readPack';

export const SOURCE = 'a photo of a cat riding a bicycle';
export const TARGET = 'a photo of a dog riding a bicycle';
const GUIDANCE = 7.5;
const SEED = 7;

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
  const model = decodeOnnxModel(await readFile(path.join(unetDir, 'model.onnx')));
  const data = await checkExternalData(model, unetDir, unetDir);
  const { fused, skipped } = fuseAttentionLayers(model, findAttentionLayers(model));
  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, 'model.onnx'), encodeOnnxModel(model));
  for (const f of data) await placeFile(path.join(unetDir, f), path.join(outDir, f));
  console.log(
    JSON.stringify({ fusedPlain: path.join(outDir, 'model.onnx'), fused: fused.size, skipped: skipped.size }),
  );
}

/** A plain UNet has no control inputs: pass it only the feeds it declares (denoise adds neutral controls). */
function onlyDeclared(s: ModelSession): ModelSession {
  return {
    inputNames: s.inputNames,
    outputNames: s.outputNames,
    inputMeta: (name) => s.inputMeta(name),
    run: (feeds, outputs) =>
      s.run(
        Object.fromEntries(Object.entries(feeds).filter(([name]) => s.inputNames.includes(name))) as Record<
          string,
          Tensor
        >,
        outputs,
      ),
  };
}

async function runCommand(args: string[]): Promise<void> {
  const [packDir, unetFile, variant, sideArg, stepsArg, provider, warmupArg] = args as [
    string,
    string,
    string,
    string,
    string,
    Provider,
    string | undefined,
  ];
  if (variant !== 'generation' && variant !== 'edit') throw new Error(`unknown variant ${variant}`);
  const steps = Number(stepsArg);
  const warmupSteps = Number(warmupArg ?? 2);
  const t0 = performance.now();
  const backend = new OrtNodeBackend({ provider });
  const files = await readPack(packDir);
  const { manifest } = files;
  const [textEncoder, unetSession] = await Promise.all([
    backend.session(path.join(packDir, manifest.components.textEncoder)),
    backend.session(unetFile),
  ]);
  const sessionSeconds = (performance.now() - t0) / 1000;
  const unused: ModelSession = {
    inputNames: [],
    outputNames: [],
    inputMeta: () => undefined,
    run: () => Promise.reject(new Error('the VAE is not loaded in this benchmark')),
  };
  const pack: ModelPack = {
    id: path.basename(packDir),
    tokenizer: files.tokenizer,
    textEncoder,
    unet: variant === 'generation' ? onlyDeclared(unetSession) : unetSession,
    vaeDecoder: unused,
    layout: manifest,
    vaeScalingFactor: files.vaeScalingFactor,
    vaeScale: files.vaeScale,
    defaultImageSize: manifest.nominalLatentSize[0] * files.vaeScale,
    createScheduler: () => createScheduler(files.schedulerConfig, {}),
  };
  const side = Number(sideArg);
  const C = manifest.latentChannels;
  const perItem = C * side * side;
  const initialNoise = randn(perItem, SEED);
  const prompt = (text: string) => ({ text, words: text.split(' ') });

  const generation = async (n: number, progress: (v: number) => void): Promise<Float32Array> => {
    const scheduler = pack.createScheduler('pack');
    const context = await encodeText(pack, ['', '', SOURCE, TARGET]);
    const latents = new Float32Array(2 * perItem);
    for (let k = 0; k < 2; k++)
      for (let i = 0; i < perItem; i++) latents[k * perItem + i] = initialNoise[i]! * scheduler.initNoiseSigma;
    return denoise({
      pack,
      scheduler,
      steps: n,
      guidance: GUIDANCE,
      latents,
      latentDims: [2, C, side, side],
      context: context.data,
      contextDims: context.dims,
      progress,
    });
  };
  const schedule: ScheduleSpec = {
    source: prompt(SOURCE),
    target: prompt(TARGET),
    mode: 'replace',
    reweightAfter: false,
    cross: { default: 0.8, words: {} },
    self: 0.4,
    selfResolutionDivisor: 4,
    vInjection: { window: 0, beta: 0 },
    equalizer: {},
    blend: { sourceWords: ['cat'], targetWords: ['dog'], k: 0.3, start: 0, subtractWords: [] },
  };
  const edit = async (n: number, progress: (v: number) => void): Promise<Float32Array> =>
    (
      await sampleEdits({
        pack,
        source: {
          prompt: prompt(SOURCE),
          negativeText: '',
          sampling: { steps: n, guidance: GUIDANCE, scheduler: 'pack', seed: SEED },
          initialNoise,
          latentDims: [1, C, side, side],
        },
        schedules: [schedule],
        progress,
        maxMemoryBytes: Number.MAX_SAFE_INTEGER,
      })
    ).latents;
  const once = variant === 'generation' ? generation : edit;

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
