import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { F32Tensor } from '../../backends/OrtCpuSession.js';
import { PTP_CONTROL_INPUTS } from '@ptp/nodes/diffusion';
import { mulberry32 } from '@ptp/nodes';

/** Test helpers shared by the patcher's tests (no onnxruntime import here). */

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repo root (pnpm-workspace.yaml) not found');
    dir = up;
  }
  return dir;
}

export const REPO_ROOT = findRepoRoot();
/** The toy SD pack of the reference runs, committed under fixtures/ (see fixtures/README.md). */
export const TOY_PACK = resolve(REPO_ROOT, 'fixtures/p2p-reference/toy-sd-pack');
/** models/make_fixtures.py output; PTP_FIXTURES points elsewhere (e.g. a scratch build). */
export const FIXTURES = process.env.PTP_FIXTURES ?? join(REPO_ROOT, 'models/fixtures');

/** The nodes' seeded generator (mulberry32), so failures reproduce. */
export const seededRandom: (seed: number) => () => number = mulberry32;

export function randomTensor(dims: number[], rand: () => number, scale = 1): F32Tensor {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = (rand() * 2 - 1) * scale;
  return { data, dims };
}

export function filled(dims: number[], value: number): F32Tensor {
  return { data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value), dims };
}

/** Neutral controls: alphas 0, equalizer 1, keep 1, mapper identity, betas 0. */
export function neutralControls(
  edits: number,
  tokens: number,
  selfLayers: number,
  crossLayers: number,
): Record<string, F32Tensor> {
  const mapper = filled([edits, tokens, tokens], 0);
  for (let e = 0; e < edits; e++) for (let k = 0; k < tokens; k++) mapper.data[(e * tokens + k) * tokens + k] = 1;
  return {
    [PTP_CONTROL_INPUTS.crossAlpha]: filled([edits, tokens], 0),
    [PTP_CONTROL_INPUTS.crossMapper]: mapper,
    [PTP_CONTROL_INPUTS.equalizer]: filled([edits, tokens], 1),
    [PTP_CONTROL_INPUTS.crossKeep]: filled([edits, tokens], 1),
    [PTP_CONTROL_INPUTS.selfAlpha]: filled([edits, selfLayers], 0),
    [PTP_CONTROL_INPUTS.vBeta]: filled([edits, crossLayers], 0),
  };
}

/** keep = 1 - alpha: the edit's own weight as replace, refine without new tokens and reweight use it. */
export function syncKeep(ctl: Record<string, F32Tensor>): Record<string, F32Tensor> {
  const alpha = ctl[PTP_CONTROL_INPUTS.crossAlpha]!;
  ctl[PTP_CONTROL_INPUTS.crossKeep] = { data: alpha.data.map((a) => 1 - a), dims: [...alpha.dims] };
  return ctl;
}

/** Sets row `e` of an [E, ...] control to `value`. */
export function setRow(t: F32Tensor, e: number, value: number): void {
  const row = t.data.length / (t.dims[0] ?? 1);
  t.data.fill(value, e * row, (e + 1) * row);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

/** Item `i` of a batch-major tensor of `count` items (default: its first dim) (view). */
export function item(t: F32Tensor, i: number, count = t.dims[0] ?? 1): Float32Array {
  const size = t.data.length / count;
  return t.data.subarray(i * size, (i + 1) * size);
}
