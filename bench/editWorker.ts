/**
 * One measurement in its own process, so peak RSS belongs to one variant:
 *   tsx bench/editWorker.ts <packDir> <unet.onnx> <variant> <latentSide> <steps> <runs>
 * variant: generation (plain UNet, two prompts, N = 2) | edit (controllable UNet, sampleEdits with
 * one word swap and a local blend, E = 1, N = 2). Prints one JSON line.
 *
 * Both variants build their pack the same way (bench/lib/editBenchCase.ts: tokenizer, scheduler,
 * text encoder and the given UNet; no VAE, which neither uses), so the only difference in memory
 * is the UNet and what the edit keeps (attention maps, trajectory).
 */
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { benchCase, loadBenchPack, parseVariant, SEED } from './lib/editBenchCase.js';

const [packDir, unetFile, variantArg, sideArg, stepsArg, runsArg] = process.argv.slice(2);
const variant = parseVariant(variantArg);
const steps = Number(stepsArg);
const runs = Number(runsArg);

const backend = new OrtNodeBackend({ provider: 'cpu' });
const { pack, latentChannels, nominalSide } = await loadBenchPack(backend, packDir!, unetFile!, variant);
const side = Number(sideArg) || nominalSide;
const { perItem, generation, edit } = benchCase(pack, { latentChannels, side, seed: SEED, stepNoise: true });

const once = () => (variant === 'generation' ? generation : edit)({ steps });
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
