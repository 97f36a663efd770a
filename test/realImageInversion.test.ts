import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, loadDocument, type WorkflowDocument } from '@ptp/graph-core';
import { doc } from '@ptp/graph-core/testing';
import {
  createNodeRegistry,
  decodeLatents,
  meanAbsError,
  psnr,
  ssim,
  type ImageBatch,
  type LatentBatch,
  type MetricsValue,
  type SourceValue,
} from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { nodeRunResources } from '@ptp/runner/uploads/nodeRunResources';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';

/**
 * Real images on the examples' pack (tiny-shapes): the shipped picture (examples/uploads) is loaded, encoded,
 * inverted and edited through the project's nodes and onnxruntime. Figures printed here are the
 * ones bench/inversion.bench.ts tabulates at full step counts.
 */
const registry = createNodeRegistry();
const backend = new OrtNodeBackend({ provider: 'cpu' });
const engine = new Engine(registry, { backend, resources: nodeRunResources([]) });
afterAll(() => backend.release());

const STEPS = 10;

function example(file: string, edit: (doc: WorkflowDocument) => void = () => {}): WorkflowDocument {
  const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples', file), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(`${file} failed to load`);
  edit(loaded.value);
  return loaded.value;
}
const setParams = (doc: WorkflowDocument, id: string, params: Record<string, unknown>) => {
  const n = doc.nodes.find((x) => x.id === id)!;
  n.params = { ...n.params, ...params };
};

async function editRun(invert: Record<string, unknown>) {
  const doc = example('edit-real-image.json', (d) => setParams(d, 'invert', { steps: STEPS, ...invert }));
  const r = await engine.run(doc, { outputs: ['sampler', 'invert', 'encode', 'image'] });
  expect(r.errors).toEqual([]);
  const pack = await backend.loadPack(doc.nodes.find((x) => x.id === 'model')!.params.pack as string);
  const sampler = r.outputs.get('sampler')!;
  const latent = sampler.latent as LatentBatch;
  const size = latent.data.length / latent.dims[0];
  const encoded = r.outputs.get('encode')!.latent as LatentBatch;
  const original = (r.outputs.get('image')!.image as ImageBatch).images[0]!;
  const sourceLatent = latent.data.slice(0, size);
  const decode = async (x: Float32Array) => (await decodeLatents(pack, x, encoded.dims)).images[0]!;
  return {
    source: r.outputs.get('invert')!.source as SourceValue,
    trajectory: sampler.trajectory as Float32Array[],
    size,
    encoded,
    original,
    sourceLatent,
    sourceImage: await decode(sourceLatent),
    vaeRoundTrip: await decode(encoded.data),
  };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('real image: load, encode, invert, edit', () => {
  it('Direct Inversion reconstructs the source branch exactly, even at guidance 7.5', async () => {
    const run = await editRun({ method: 'direct', guidance: 7.5 });
    expect(run.source.kind).toBe('inverted');
    expect(run.trajectory).toHaveLength(STEPS);
    // Every step: the source branch equals the inverted trajectory.
    run.trajectory.forEach((x, i) =>
      expect(maxDiff(x.subarray(0, run.size), run.source.trajectory[i]!), `step ${i}`).toBeLessThanOrEqual(1e-4),
    );
    expect(maxDiff(run.sourceLatent, run.encoded.data)).toBeLessThanOrEqual(1e-4);
    // So the decoded source is exactly the VAE's own round trip of the picture.
    const vae = psnr(run.original, run.vaeRoundTrip);
    expect(Math.abs(psnr(run.original, run.sourceImage) - vae)).toBeLessThanOrEqual(1e-6);
    console.log(
      `VAE round trip of the example picture: PSNR ${vae.toFixed(2)} dB, SSIM ${ssim(run.original, run.vaeRoundTrip).toFixed(3)}`,
    );
    // Without the offsets the same inversion drifts at guidance 7.5: the pinning is doing the work.
    const plain = await editRun({ method: 'ddim', guidance: 7.5 });
    expect(maxDiff(plain.sourceLatent, plain.encoded.data)).toBeGreaterThan(1e-2);
  });

  it('DDIM inversion then plain DDIM sampling at guidance 1 reconstructs the latent', async () => {
    const run = await editRun({ method: 'ddim', guidance: 1 });
    const latentPsnr = psnr(run.encoded.data, run.sourceLatent);
    const imagePsnr = psnr(run.vaeRoundTrip, run.sourceImage);
    console.log(
      `DDIM inversion + DDIM sampling, guidance 1, ${STEPS} steps: latent PSNR ${latentPsnr.toFixed(2)} dB, image PSNR (vs VAE round trip) ${imagePsnr.toFixed(2)} dB, latent MAE ${meanAbsError(run.encoded.data, run.sourceLatent).toExponential(2)}`,
    );
    expect(latentPsnr).toBeGreaterThanOrEqual(30);
    expect(imagePsnr).toBeGreaterThanOrEqual(30);
  });

  it('negative-prompt inversion runs and is reported', async () => {
    const npi = await editRun({ method: 'negative-prompt', guidance: 7.5 });
    expect(npi.source.negativeText).toBe('a red circle on a white background');
    const ddim = await editRun({ method: 'ddim', guidance: 7.5 });
    const p = { npi: psnr(npi.vaeRoundTrip, npi.sourceImage), ddim: psnr(ddim.vaeRoundTrip, ddim.sourceImage) };
    console.log(
      `guidance 7.5, ${STEPS} steps, source reconstruction PSNR vs VAE round trip: negative-prompt ${p.npi.toFixed(2)} dB, plain DDIM ${p.ddim.toFixed(2)} dB`,
    );
    expect(Number.isFinite(p.npi)).toBe(true);
    // The source prompt as the unconditional text makes the source branch see guidance 1.
    expect(p.npi).toBeGreaterThan(p.ddim);
  });
});

describe('cycle A -> B -> A', () => {
  it('reports PSNR, SSIM and latent MAE with V injection off and on', async () => {
    const run = async (file: string) => {
      const r = await engine.run(
        example(file, (d) => setParams(d, 'invert', { steps: STEPS })),
        { outputs: ['cycle'] },
      );
      expect(r.errors).toEqual([]);
      expect((r.outputs.get('cycle')!.images as ImageBatch).images).toHaveLength(3);
      return r.outputs.get('cycle')!.metrics as MetricsValue;
    };
    const off = await run('cycle.json');
    const on = await run('cycle-v-injection.json');
    for (const m of [off, on]) {
      expect(m.kind).toBe('cycle');
      for (const k of ['psnr', 'ssim', 'psnrVsDecoded', 'ssimVsDecoded', 'latentMae', 'pixelMae', 'editPsnr'])
        expect(Number.isFinite(m.values[k]), k).toBe(true);
      expect(m.values.ssim).toBeLessThanOrEqual(1);
    }
    expect(off.context).toMatchObject({ vInjection: false, method: 'direct', source: 'inverted', reencode: true });
    expect(on.context).toMatchObject({ vInjection: true, vBeta: 0.5 });
    // V injection changes the result (same inversion, same windows otherwise).
    expect(off.values.latentMae).not.toBe(on.values.latentMae);
    const line = (m: MetricsValue) =>
      `PSNR ${m.values.psnr!.toFixed(2)} dB (vs decoded ${m.values.psnrVsDecoded!.toFixed(2)}) SSIM ${m.values.ssim!.toFixed(3)} latent MAE ${m.values.latentMae!.toFixed(4)}`;
    console.log(`cycle (${STEPS} steps): V off ${line(off)}; V on ${line(on)}`);
  });
});

describe('cycle on a generated source', () => {
  it('compares with the generated image and latent', async () => {
    const d = doc(
      [
        { id: 'model', type: 'ptp.loadModel', params: { pack: 'tiny-random' } },
        { id: 'a', type: 'ptp.prompt', params: { text: 'a red circle on a white background' } },
        { id: 'b', type: 'ptp.prompt', params: { text: 'a blue circle on a white background' } },
        { id: 'capture', type: 'ptp.captureSource', params: { steps: 6, seed: 3 } },
        { id: 'schedule', type: 'ptp.injectionSchedule', params: { cross: 0.2, self: 0.8 } },
        { id: 'cycle', type: 'ptp.cycle', params: { method: 'negative-prompt', reencode: false } },
      ],
      [
        'model.model -> capture.model',
        'a.prompt -> capture.prompt',
        'a.prompt -> schedule.source',
        'b.prompt -> schedule.target',
        'model.model -> cycle.model',
        'capture.source -> cycle.source',
        'schedule.schedule -> cycle.edit',
      ],
    );
    const r = await engine.run(d, { outputs: ['cycle'] });
    expect(r.errors).toEqual([]);
    const m = r.outputs.get('cycle')!.metrics as MetricsValue;
    expect(m.context).toMatchObject({ source: 'generated', method: 'negative-prompt', reencode: false });
    // A generated source has no VAE step between picture and latent: both PSNRs are the same.
    expect(m.values.psnrVsDecoded).toBe(m.values.psnr);
    expect(Number.isFinite(m.values.latentMae)).toBe(true);
  });
});
