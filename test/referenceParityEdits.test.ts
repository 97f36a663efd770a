import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Engine, validateGraph } from '@ptp/graph-core';
import { createNodeRegistry, type SourceValue } from '@ptp/nodes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseWorkflow } from './support/caseWorkflow.js';
import { diffStats, openToyPack, readCase, readLatents, referenceDir, tolerance } from './support/referenceCases.js';

/**
 * Parity with the original Prompt-to-Prompt code: every case in ../shared/data/p2p-reference/public,
 * run as a workflow of the project's own nodes on the toy pack imported by the project's patcher.
 */
const registry = createNodeRegistry();
let toy: Awaited<ReturnType<typeof openToyPack>>;
let engine: Engine;
beforeAll(async () => {
  toy = await openToyPack();
  engine = new Engine(registry, { backend: toy.backend });
});
afterAll(() => toy.backend.release());

const cases = readdirSync(path.join(referenceDir, 'public')).sort();

describe('parity with the original implementation (cpu)', () => {
  it('covers every public case', () => expect(cases.length).toBeGreaterThanOrEqual(8));

  it.each(cases)('%s: latents at every saved step within tolerance.json', async (name) => {
    const c = readCase(name);
    const doc = caseWorkflow(c, toy.packId);
    expect(validateGraph(doc, registry).errors).toEqual([]);
    const target = c.prompts.length === 1 ? 'capture' : 'sampler';
    const result = await engine.run(doc, { outputs: [target] });
    expect(result.errors).toEqual([]);
    const outputs = result.outputs.get(target)!;
    const value = outputs.source as SourceValue;
    const trajectory = c.prompts.length === 1 ? value.trajectory : (outputs.trajectory as Float32Array[]);
    for (const step of c.saved_steps) {
      const d = diffStats(trajectory[step]!, readLatents(name, step));
      expect.soft(d.maxAbs, `${name} step ${step} max abs`).toBeLessThanOrEqual(tolerance.cpu.max_abs);
      expect.soft(d.meanAbs, `${name} step ${step} mean abs`).toBeLessThanOrEqual(tolerance.cpu.mean_abs);
      if (step === c.saved_steps.at(-1)) console.info(`[parity] ${name} step ${step}: max abs ${d.maxAbs.toExponential(2)}, mean abs ${d.meanAbs.toExponential(2)} (bounds ${tolerance.cpu.max_abs}, ${tolerance.cpu.mean_abs})`);
    }
    if (name === 'store-source') {
      // The 16x16 cross maps averaged over heads, layers and steps, [16, 16, 77].
      const buf = readFileSync(path.join(referenceDir, 'public', name, 'cross_maps_16x16x77_mean.f32'));
      const ref = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      const att = value.attention;
      const g = att.groups.find((x) => x.name === '16x16')!;
      const mean = g.sum.map((v) => v / att.steps);
      expect(diffStats(mean, ref).maxAbs).toBeLessThanOrEqual(1e-5);
    }
  });
});
