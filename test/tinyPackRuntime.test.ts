import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine, loadDocument } from '@ptp/graph-core';
import {
  controlFeeds,
  createNodeRegistry,
  neutralControls,
  readPngText,
  type ImageBatch,
  type Tensor,
} from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { BUNDLED_PACKS_DIR } from '@ptp/runner/packs/PackStore';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';

const packDir = path.join(BUNDLED_PACKS_DIR, 'tiny-random');
// The pack ships only the controllable UNet; the plain one is in the committed export it was imported from.
const plainUnet = path.join(repoRoot, 'models/exports/tiny-random/unet/model.onnx');
const manifest = JSON.parse(readFileSync(path.join(packDir, 'ptp-manifest.json'), 'utf8'));
const backends: OrtNodeBackend[] = [];
const backend = (provider: 'cpu' | 'webgpu') => {
  const b = new OrtNodeBackend({ provider });
  backends.push(b);
  return b;
};
afterAll(async () => Promise.all(backends.map((b) => b.release())));

function randomFeeds(edits: number, neutral: boolean): Record<string, Tensor> {
  let s = 7;
  const rnd = (n: number) =>
    Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1);
  const N = 1 + edits;
  const [h, w] = manifest.nominalLatentSize;
  const T = manifest.tokenLength;
  const io = manifest.unet.io;
  const feeds: Record<string, Tensor> = {
    [io.sample]: {
      type: 'float32',
      dims: [2 * N, manifest.latentChannels, h, w],
      data: rnd(2 * N * manifest.latentChannels * h * w),
    },
    [io.timestep]: { type: 'float32', dims: [], data: new Float32Array([421]) },
    [io.encoderHiddenStates]: { type: 'float32', dims: [2 * N, T, 32], data: rnd(2 * N * T * 32) },
  };
  if (!neutral) return feeds;
  return { ...feeds, ...controlFeeds(manifest, edits, neutralControls(manifest, edits)) };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe.each(['cpu', 'webgpu'] as const)('tiny-random pack on the %s provider', (provider) => {
  it('controllable UNet with neutral controls equals the plain UNet (max abs diff <= 1e-4)', async () => {
    const b = backend(provider);
    const plain = await b.session(plainUnet);
    const controllable = await b.session(path.join(packDir, manifest.unet.model));
    // SwiftShader is slow: the GPU path checks one batch layout, the CPU path all three.
    for (const edits of provider === 'cpu' ? [0, 1, 3] : [1]) {
      const out = manifest.unet.io.output;
      const p = await plain.run(randomFeeds(edits, false), [out]);
      const c = await controllable.run(randomFeeds(edits, true), [out]);
      expect(maxAbsDiff(p[out]!.data as Float32Array, c[out]!.data as Float32Array), `E=${edits}`).toBeLessThanOrEqual(
        1e-4,
      );
    }
  });
});

async function generate(provider: 'cpu' | 'webgpu', steps = 8) {
  const registry = createNodeRegistry();
  const doc = loadDocument(readFileSync(path.join(repoRoot, 'examples/tiny-generate.json'), 'utf8'), { registry });
  if (!doc.ok) throw new Error('example failed to load');
  doc.value.nodes.find((n) => n.id === 'sample')!.params.steps = steps;
  const result = await new Engine(registry, { backend: backend(provider) }).run(doc.value, { outputs: ['decode'] });
  expect(result.status).toBe('success');
  return (result.outputs.get('decode')!.image as ImageBatch).images[0]!;
}

describe('text to image', () => {
  it('is deterministic: same seed, identical image on cpu', async () => {
    const a = await generate('cpu');
    const b = await generate('cpu');
    expect(a.width).toBe(32); // tiny-shapes, the example's pack: 8x8 latents, a 4x VAE
    expect(Buffer.from(a.rgba).equals(Buffer.from(b.rgba))).toBe(true);
  });

  it('cpu and webgpu images agree within 2/255 per channel', async () => {
    const cpu = await generate('cpu');
    const gpu = await generate('webgpu');
    expect(maxAbsDiff(cpu.rgba, gpu.rgba)).toBeLessThanOrEqual(2);
  });

  it('`pnpm ptp run` writes PNGs carrying the workflow, and summary.json', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'ptp-run-'));
    const r = spawnSync('pnpm', ['ptp', 'run', 'examples/tiny-generate.json', '--provider', 'cpu', '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      status: 'success',
      provider: 'cpu',
      backend: 'onnxruntime-node',
      outputs: ['generate_000.png'],
    });
    expect(summary.nodes.find((n: { id: string }) => n.id === 'sample').ms).toBeGreaterThan(0);
    const png = readPngText(new Uint8Array(readFileSync(path.join(out, 'generate_000.png'))));
    expect(png.ok && JSON.parse(png.text.workflow!).metadata.name).toBe('Text to image · tiny-shapes');
  });

  it('names the missing piece when a provider cannot start', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'ptp-run-'));
    const webgpu = spawnSync(
      'pnpm',
      ['ptp', 'run', 'examples/tiny-generate.json', '--provider', 'webgpu', '--out', out],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json' },
      },
    );
    expect(webgpu.status).toBe(1);
    expect(webgpu.stderr).toContain('VK_ICD_FILENAMES');
    // Dawn prints its own native trace lines; what must never appear is a JavaScript stack.
    expect(webgpu.stderr).not.toMatch(/\n\s+at .*\.[jt]s:\d+/);
    const cuda = spawnSync('pnpm', ['ptp', 'run', 'examples/tiny-generate.json', '--provider', 'cuda', '--out', out], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(cuda.status).toBe(1);
    expect(cuda.stderr).toMatch(/CUDA provider/);
  });
});
