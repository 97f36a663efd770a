import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  decodeLatents,
  encodeImages,
  invertToSource,
  meanAbsError,
  psnr,
  runCycle,
  sampleEdits,
  splitWords,
  ssim,
  type InversionMethod,
  type ModelPack,
  type RgbaImage,
  type ScheduleSpec,
} from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { BUNDLED_PACKS_DIR } from '@ptp/runner/packs/PackStore';
import { printTable } from './lib/table.js';
import { caption, renderShape, type Colour, type ShapePicture } from './lib/shapePictures.js';

const STEPS = 50;
const GUIDANCE = 7.5;

/** Pictures and their edits: colour swaps, including dark -> light (the paper's reported failure). */
const CASES: { picture: ShapePicture; to: Colour }[] = [
  { picture: { colour: 'red', shape: 'circle', background: 'white', cx: 30, cy: 34, r: 13 }, to: 'blue' },
  { picture: { colour: 'blue', shape: 'square', background: 'black', cx: 34, cy: 30, r: 11 }, to: 'yellow' },
  { picture: { colour: 'green', shape: 'triangle', background: 'white', cx: 32, cy: 32, r: 14 }, to: 'purple' },
  { picture: { colour: 'purple', shape: 'circle', background: 'black', cx: 26, cy: 36, r: 9 }, to: 'orange' },
];

const prompt = (text: string) => ({ text, words: splitWords(text) });

/** The CL P2P word-swap preset (cross 0.2, self 0.8), with or without V injection. */
function swap(p: ShapePicture, to: Colour, vBeta: number): ScheduleSpec {
  return {
    source: prompt(caption(p)),
    target: prompt(caption({ ...p, colour: to })),
    mode: 'replace',
    reweightAfter: false,
    cross: { default: 0.2, words: {} },
    self: 0.8,
    selfResolutionDivisor: 4,
    vInjection: { window: 0.8, beta: vBeta },
    equalizer: {},
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : 'inf');

interface Prepared {
  c: (typeof CASES)[number];
  image: RgbaImage;
  latent: Float32Array;
  dims: [1, number, number, number];
  vae: RgbaImage;
}

async function prepare(pack: ModelPack): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for (const c of CASES) {
    const image = renderShape(c.picture, pack.defaultImageSize);
    const enc = await encodeImages(pack, { images: [image] });
    const dims = enc.dims as [1, number, number, number];
    out.push({ c, image, latent: enc.data, dims, vae: (await decodeLatents(pack, enc.data, dims)).images[0]! });
  }
  return out;
}

async function reconstruction(pack: ModelPack, cases: Prepared[]): Promise<void> {
  const rows: (string | number)[][] = [
    [
      'VAE round trip only (baseline)',
      '-',
      f2(mean(cases.map((x) => psnr(x.image, x.vae)))),
      'inf',
      mean(cases.map((x) => ssim(x.image, x.vae))).toFixed(3),
      '0',
      '-',
    ],
  ];
  const configs: { label: string; method: InversionMethod; guidance: number }[] = [
    { label: 'DDIM inversion, sampled at guidance 1', method: 'ddim', guidance: 1 },
    { label: 'DDIM inversion', method: 'ddim', guidance: GUIDANCE },
    { label: 'negative-prompt inversion', method: 'negative-prompt', guidance: GUIDANCE },
    { label: 'Direct Inversion', method: 'direct', guidance: GUIDANCE },
  ];
  for (const cfg of configs) {
    const m = { img: [] as number[], dec: [] as number[], ssim: [] as number[], mae: [] as number[] };
    const started = performance.now();
    for (const x of cases) {
      const source = await invertToSource({
        pack,
        latent: x.latent,
        latentDims: x.dims,
        image: x.image,
        prompt: prompt(caption(x.c.picture)),
        method: cfg.method,
        steps: STEPS,
        guidance: cfg.guidance,
        inverseGuidance: 1,
      });
      // One edit rides along as in real use; the source branch (item 0) does not depend on it.
      const run = await sampleEdits({ pack, source, schedules: [swap(x.c.picture, x.c.to, 0)] });
      const rec = run.latents.slice(0, x.latent.length);
      const img = (await decodeLatents(pack, rec, x.dims)).images[0]!;
      m.img.push(psnr(x.image, img));
      m.dec.push(psnr(x.vae, img));
      m.ssim.push(ssim(x.image, img));
      m.mae.push(meanAbsError(x.latent, rec));
    }
    rows.push([
      cfg.label,
      cfg.guidance,
      f2(mean(m.img)),
      f2(mean(m.dec)),
      mean(m.ssim).toFixed(3),
      mean(m.mae).toFixed(4),
      ((performance.now() - started) / cases.length / 1000).toFixed(2),
    ]);
  }
  printTable(
    `Reconstruction of the source branch, ${pack.id}, ${cases.length} rendered pictures, ${STEPS} DDIM steps, inversion at guidance 1, mean over pictures`,
    [
      'method',
      'edit guidance',
      'PSNR vs picture dB',
      'PSNR vs VAE round trip dB',
      'SSIM vs picture',
      'latent MAE',
      's/picture (invert + edit)',
    ],
    rows,
  );
}

async function cycles(pack: ModelPack, cases: Prepared[]): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const method of ['direct', 'negative-prompt'] as const) {
    for (const vBeta of [0, 0.5, 1]) {
      const m = {
        psnr: [] as number[],
        dec: [] as number[],
        ssim: [] as number[],
        mae: [] as number[],
        edit: [] as number[],
      };
      for (const x of cases) {
        const source = await invertToSource({
          pack,
          latent: x.latent,
          latentDims: x.dims,
          image: x.image,
          prompt: prompt(caption(x.c.picture)),
          method,
          steps: STEPS,
          guidance: GUIDANCE,
          inverseGuidance: 1,
        });
        const r = await runCycle({
          pack,
          source,
          edit: swap(x.c.picture, x.c.to, vBeta),
          method,
          reencode: true,
          inverseGuidance: 1,
        });
        m.psnr.push(r.metrics.values.psnr!);
        m.dec.push(r.metrics.values.psnrVsDecoded!);
        m.ssim.push(r.metrics.values.ssim!);
        m.mae.push(r.metrics.values.latentMae!);
        m.edit.push(r.metrics.values.editPsnr!);
      }
      rows.push([
        method,
        vBeta === 0 ? 'off' : `on, beta ${vBeta}`,
        f2(mean(m.psnr)),
        f2(mean(m.dec)),
        mean(m.ssim).toFixed(3),
        mean(m.mae).toFixed(4),
        f2(mean(m.edit)),
      ]);
    }
  }
  printTable(
    `Cycle A -> B -> A (colour swap and back, CL P2P preset cross 0.2 / self 0.8, V window 0.8), ${pack.id}, ${cases.length} pictures, ${STEPS} steps, guidance ${GUIDANCE}, B re-encoded through the VAE`,
    [
      'inversion',
      'V injection',
      "PSNR A' vs A dB",
      "PSNR A' vs decoded A dB",
      "SSIM A' vs A",
      'latent MAE',
      'PSNR B vs A dB (edit size)',
    ],
    rows,
  );
}

/**
 * `pnpm bench inversion`: how well each inversion method reconstructs real pictures, and how
 * cycle-consistent an edit and its mirror are with and without V injection. CPU provider; every
 * pack in models/packs that can encode (tiny-shapes when present, tiny-random).
 */
export async function benchInversion(): Promise<void> {
  const backend = new OrtNodeBackend({ provider: 'cpu' });
  try {
    for (const id of ['tiny-shapes', 'tiny-random']) {
      if (!existsSync(path.join(BUNDLED_PACKS_DIR, id, 'ptp-manifest.json'))) {
        console.log(`\n(${id}: not in models/packs, skipped)`);
        continue;
      }
      const pack = await backend.loadPack(id);
      if (!pack.vaeEncoder) {
        console.log(`\n(${id}: no VAE encoder, skipped)`);
        continue;
      }
      const cases = await prepare(pack);
      await reconstruction(pack, cases);
      await cycles(pack, cases);
    }
  } finally {
    await backend.release();
  }
}
