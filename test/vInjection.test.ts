import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, loadDocument, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry, type LatentBatch } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';

/** V injection has no reference run: its defining properties are tested instead (tiny-random pack). */
const registry = createNodeRegistry();
const backend = new OrtNodeBackend({ provider: 'cpu' });
const engine = new Engine(registry, { backend });
afterAll(() => backend.release());

function vDoc(schedule: Record<string, unknown>): WorkflowDocument {
  const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples/tiny-v-injection.json'), 'utf8'), {
    registry,
  });
  if (!loaded.ok) throw new Error('example failed to load');
  const doc = loaded.value;
  doc.nodes.find((n) => n.id === 'capture')!.params.steps = 12;
  doc.nodes.find((n) => n.id === 'schedule1')!.params = schedule;
  return doc;
}

async function edited(schedule: Record<string, unknown>): Promise<{ source: Float32Array; edit: Float32Array }> {
  const r = await engine.run(vDoc(schedule), { outputs: ['sampler'] });
  expect(r.errors).toEqual([]);
  const latent = r.outputs.get('sampler')!.latent as LatentBatch;
  const n = latent.data.length / 2;
  return { source: latent.data.subarray(0, n), edit: latent.data.subarray(n) };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('V-value injection', () => {
  it('beta 0 equals no injection', async () => {
    const base = { mode: 'replace', cross: 0.8, self: 0.4 };
    const off = await edited(base);
    const zero = await edited({ ...base, vWindow: 1, vBeta: 0 });
    expect(maxDiff(off.edit, zero.edit)).toBe(0);
    const on = await edited({ ...base, vWindow: 1, vBeta: 0.5 });
    expect(maxDiff(off.edit, on.edit)).toBeGreaterThan(1e-3);
  });

  it('beta 1 with the identity mapper and full windows reproduces the source', async () => {
    // cat -> dog swaps one token for one: the mapper is the identity. Full cross, self (every
    // layer: divisor 1) and V windows leave nothing of the edit prompt in the computation.
    const full = await edited({ mode: 'replace', cross: 1, self: 1, selfResolutionDivisor: 1, vWindow: 1, vBeta: 1 });
    expect(maxDiff(full.source, full.edit)).toBeLessThanOrEqual(1e-5);
    const withoutV = await edited({ mode: 'replace', cross: 1, self: 1, selfResolutionDivisor: 1 });
    expect(maxDiff(withoutV.source, withoutV.edit)).toBeGreaterThan(1e-3);
  });
});
