import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { importPack } from '@ptp/runner/onnx';
import { PackStore } from '@ptp/runner/packs/PackStore';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** `../shared` sits beside the repository on every machine and in CI. */
export const referenceDir = path.resolve(repoRoot, '../shared/data/p2p-reference');

export interface ReferenceCase {
  name: string;
  prompts: string[];
  scheduler: 'pndm' | 'ddim';
  steps: number;
  guidance: number;
  shape: [number, number, number, number];
  saved_steps: number[];
  token_ids: number[][];
  params: Record<string, unknown>;
}

export function readCase(name: string): ReferenceCase {
  return JSON.parse(readFileSync(path.join(referenceDir, 'public', name, 'case.json'), 'utf8'));
}

export function readLatents(name: string, step: number): Float32Array {
  const buf = readFileSync(path.join(referenceDir, 'public', name, `latents_step${String(step).padStart(2, '0')}.f32`));
  return new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
}

export const tolerance: { cpu: { max_abs: number; mean_abs: number } } = JSON.parse(readFileSync(path.join(referenceDir, 'tolerance.json'), 'utf8'));

/** The reference's initial latent: x[i] = sin(0.0123 i) cos(0.771 i) 1.5 over [1, 4, 64, 64]. */
export function referenceInitialLatent(count = 4 * 64 * 64): Float32Array {
  const x = new Float32Array(count);
  for (let i = 0; i < count; i++) x[i] = Math.sin(0.0123 * i) * Math.cos(0.771 * i) * 1.5;
  return x;
}

/** Imports the toy pack with the project's own patcher into a temp folder and opens it on CPU. */
export async function openToyPack(): Promise<{ backend: OrtNodeBackend; packId: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'ptp-toy-'));
  await importPack(path.join(referenceDir, 'toy-sd-pack'), path.join(root, 'toy'));
  return { backend: new OrtNodeBackend({ provider: 'cpu', packs: new PackStore([root]) }), packId: 'toy' };
}

export function diffStats(a: Float32Array, b: Float32Array): { maxAbs: number; meanAbs: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { maxAbs: max, meanAbs: sum / a.length };
}
