/**
 * One measurement in its own process, so peak RSS belongs to one variant:
 *   tsx bench/editWorker.ts <packDir> <unet.onnx> <variant> <latentSide> <steps> <runs>
 * variant: generation (plain UNet, two prompts, N = 2) | edit (controllable UNet, sampleEdits with
 * one word swap and a local blend, E = 1, N = 2). Prints one JSON line.
 *
 * Both variants build their pack the same way (tokenizer, scheduler, text encoder and the given
 * UNet; no VAE, which neither uses), so the only difference in memory is the UNet and what the
 * edit keeps (attention maps, trajectory). `loadPack` is not used: it would also load the
 * controllable UNet into the generation process.
 */
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
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { readPack } from '@ptp/runner/packs/readPack';
import { createScheduler } from '@ptp/nodes/diffusion';
import path from 'node:path';

const [packDir, unetFile, variant, sideArg, stepsArg, runsArg] = process.argv.slice(2);
if (variant !== 'generation' && variant !== 'edit') throw new Error(`unknown variant ${variant}`);
const steps = Number(stepsArg);
const runs = Number(runsArg);
const guidance = 7.5;
const seed = 7;
const SOURCE = 'a photo of a cat riding a bicycle';
const TARGET = 'a photo of a dog riding a bicycle';

const backend = new OrtNodeBackend({ provider: 'cpu' });
const files = await readPack(packDir!);
const { manifest } = files;
const [textEncoder, unetSession] = await Promise.all([
  backend.session(path.join(packDir!, manifest.components.textEncoder)),
  backend.session(unetFile!),
]);

/** The plain UNet has no control inputs: pass it only the feeds it declares (denoise adds neutral controls). */
const onlyDeclared = (s: ModelSession): ModelSession => ({
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
});
const unused: ModelSession = {
  inputNames: [],
  outputNames: [],
  inputMeta: () => undefined,
  run: () => Promise.reject(new Error('the VAE is not loaded in this benchmark')),
};
const pack: ModelPack = {
  id: path.basename(packDir!),
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

const side = Number(sideArg) || manifest.nominalLatentSize[0];
const C = manifest.latentChannels;
const perItem = C * side * side;
const initialNoise = randn(perItem, seed);
const prompt = (text: string) => ({ text, words: text.split(' ') });

/** Text-to-image of two prompts in one batch (N = 2, B = 4): what the edit does, without injection. */
async function generation(): Promise<Float32Array> {
  const N = 2;
  const scheduler = pack.createScheduler('pack');
  const context = await encodeText(pack, ['', '', SOURCE, TARGET]);
  const latents = new Float32Array(N * perItem);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < perItem; i++) latents[n * perItem + i] = initialNoise[i]! * scheduler.initNoiseSigma;
  return denoise({
    pack,
    scheduler,
    steps,
    guidance,
    latents,
    latentDims: [N, C, side, side],
    context: context.data,
    contextDims: context.dims,
    ...(scheduler.needsNoise() ? { stepNoise: (i: number) => tileNoise(randn(perItem, (seed + 1 + i) >>> 0), N) } : {}),
  });
}

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

/** One word swap with a local blend (E = 1, N = 2): attention maps fetched and blended every step. */
async function edit(): Promise<Float32Array> {
  const result = await sampleEdits({
    pack,
    source: {
      prompt: prompt(SOURCE),
      negativeText: '',
      sampling: { steps, guidance, scheduler: 'pack', seed },
      initialNoise,
      latentDims: [1, C, side, side],
    },
    schedules: [schedule],
  });
  return result.latents;
}

function tileNoise(one: Float32Array, n: number): Float32Array {
  const out = new Float32Array(one.length * n);
  for (let i = 0; i < n; i++) out.set(one, i * one.length);
  return out;
}

const once = variant === 'generation' ? generation : edit;
let latents = await once(); // warm-up (sessions already created above, outside any timing)
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  latents = await once();
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
// Item 0 (the source prompt) gets no injection, so it should agree between the two variants.
const item0 = Array.from(latents.subarray(0, perItem));
console.log(
  JSON.stringify({
    variant,
    side,
    steps,
    medianMs:
      times.length % 2 ? times[(times.length - 1) / 2] : (times[times.length / 2 - 1]! + times[times.length / 2]!) / 2,
    minMs: times[0],
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    item0,
  }),
);
