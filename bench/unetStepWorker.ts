/**
 * One measurement in its own process, so peak RSS belongs to one variant:
 *   tsx bench/unetStepWorker.ts <model.onnx> <manifest.json> <variant> <edits> <latentSide> <runs>
 * variant: plain | neutral | active. Prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';

const [model, manifestPath, variant, editsArg, sideArg, runsArg] = process.argv.slice(2);
const manifest = JSON.parse(readFileSync(manifestPath!, 'utf8'));
const E = Number(editsArg);
const side = Number(sideArg);
const runs = Number(runsArg);
const N = 1 + E;
const B = 2 * N;
const T: number = manifest.tokenLength;
const C: number = manifest.latentChannels;

// PTP_BENCH_UNET_THREADS=1 makes CPU time per step a stable measure on a shared machine (no
// thread-pool spinning, no waiting on other processes counted).
const threads = Number(process.env.PTP_BENCH_UNET_THREADS ?? 0);
const session = await ort.InferenceSession.create(model!, {
  executionProviders: ['cpu'],
  logSeverityLevel: 3,
  ...(threads > 0 ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {}),
});
const hiddenMeta = session.inputMetadata.find((m) => m.name === manifest.unet.io.encoderHiddenStates);
const D = Number(hiddenMeta && hiddenMeta.isTensor ? hiddenMeta.shape[2] : 768);
const tsMeta = session.inputMetadata.find((m) => m.name === manifest.unet.io.timestep);
let seed = 1;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
const filled = (n: number) => Float32Array.from({ length: n }, rand);

const feeds: Record<string, ort.Tensor> = {
  [manifest.unet.io.sample]: new ort.Tensor('float32', filled(B * C * side * side), [B, C, side, side]),
  [manifest.unet.io.encoderHiddenStates]: new ort.Tensor('float32', filled(B * T * D), [B, T, D]),
};
const tsDims = tsMeta && tsMeta.isTensor ? tsMeta.shape : [];
feeds[manifest.unet.io.timestep] =
  tsMeta && tsMeta.isTensor && tsMeta.type === 'int64'
    ? new ort.Tensor('int64', new BigInt64Array(tsDims.length ? B : 1).fill(500n), tsDims.length ? [B] : [])
    : new ort.Tensor(
        'float32',
        new Float32Array(tsDims.length ? (tsDims[0] === 1 ? 1 : B) : 1).fill(500),
        tsDims.length ? [tsDims[0] === 1 ? 1 : B] : [],
      );
if (variant !== 'plain') {
  const Ls = manifest.layers.filter((l: { kind: string }) => l.kind === 'self').length;
  const Lc = manifest.layers.length - Ls;
  const active = variant === 'active';
  const mapper = new Float32Array(E * T * T);
  // Active: a permutation mapper (a real word swap moves weight between tokens), else identity.
  for (let e = 0; e < E; e++) for (let i = 0; i < T; i++) mapper[e * T * T + i * T + (active ? (i + 1) % T : i)] = 1;
  const c = manifest.controls;
  feeds[c.crossAlpha] = new ort.Tensor('float32', new Float32Array(E * T).fill(active ? 1 : 0), [E, T]);
  feeds[c.crossMapper] = new ort.Tensor('float32', mapper, [E, T, T]);
  feeds[c.equalizer] = new ort.Tensor('float32', new Float32Array(E * T).fill(active ? 2 : 1), [E, T]);
  // keep = 1 - alpha, as a word swap sets it.
  feeds[c.crossKeep] = new ort.Tensor('float32', new Float32Array(E * T).fill(active ? 0 : 1), [E, T]);
  feeds[c.selfAlpha] = new ort.Tensor('float32', new Float32Array(E * Ls).fill(active ? 1 : 0), [E, Ls]);
  feeds[c.vBeta] = new ort.Tensor('float32', new Float32Array(E * Lc).fill(active ? 0.5 : 0), [E, Lc]);
}
// Text to image (plain, neutral) fetches only the noise prediction; an edit also reads the maps.
const outputs =
  variant === 'active' ? [manifest.unet.io.output, ...manifest.attentionOutputs] : [manifest.unet.io.output];
await session.run(feeds, outputs); // warm-up
const times: number[] = [];
const cpu: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await session.run(feeds, outputs);
  const c = process.cpuUsage(c0);
  times.push(performance.now() - t0);
  cpu.push((c.user + c.system) / 1000);
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    variant,
    E,
    side,
    medianMs: times[Math.floor(times.length / 2)],
    minMs: times[0],
    medianCpuMs: cpu[Math.floor(cpu.length / 2)],
    minCpuMs: cpu[0],
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
  }),
);
