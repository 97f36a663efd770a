import { Engine, loadDocument, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry, type MetricsValue, type ScheduleSpec } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The Tune node on the tiny-shapes pack at 5 steps with a budget of 4 runs (seconds, not minutes):
 * its best schedule feeds an Edit sampler like an Injection schedule's, the edit it makes is
 * measured, and the run reports progress and stops when cancelled.
 */
const registry = createNodeRegistry();
const backend = new OrtNodeBackend({ provider: 'cpu' });
const engine = new Engine(registry, { backend });
afterAll(() => backend.release());

const node = (id: string, type: string, params: Record<string, unknown> = {}) => ({
  id,
  type,
  typeVersion: type === 'ptp.captureSource' ? 2 : 1,
  params,
  ui: { position: { x: 0, y: 0 } },
});
let e = 0;
const edge = (from: string, output: string, to: string, input: string) => ({
  id: `e${++e}`,
  from: { node: from, output },
  to: { node: to, input },
});

function tuneDoc(searchSeed = 0): WorkflowDocument {
  const doc = {
    schemaVersion: 2,
    metadata: { name: 'tune', tags: [] },
    nodes: [
      node('model', 'ptp.loadModel', { pack: 'tiny-shapes' }),
      node('source', 'ptp.prompt', { text: 'a red circle on a white background' }),
      node('target', 'ptp.prompt', { text: 'a blue circle on a white background' }),
      node('blend', 'ptp.blend', { sourceWords: ['circle'], targetWords: ['circle'] }),
      node('schedule', 'ptp.injectionSchedule', {}),
      node('tune', 'ptp.tune', { budget: 4, seeds: [1, 2], testSeeds: [9], steps: 5, batch: 4, searchSeed }),
      node('capture', 'ptp.captureSource', { seed: 9, steps: 5 }),
      node('sampler', 'ptp.editSampler'),
      node('decode', 'ptp.decode'),
      node('metrics', 'ptp.editMetrics'),
    ],
    edges: [
      edge('source', 'prompt', 'blend', 'source'),
      edge('target', 'prompt', 'blend', 'target'),
      edge('source', 'prompt', 'schedule', 'source'),
      edge('target', 'prompt', 'schedule', 'target'),
      edge('blend', 'blend', 'schedule', 'blend'),
      edge('model', 'model', 'tune', 'model'),
      edge('schedule', 'schedule', 'tune', 'schedule'),
      edge('model', 'model', 'capture', 'model'),
      edge('source', 'prompt', 'capture', 'prompt'),
      edge('model', 'model', 'sampler', 'model'),
      edge('capture', 'source', 'sampler', 'source'),
      edge('tune', 'schedule', 'sampler', 'edits'),
      edge('model', 'model', 'decode', 'model'),
      edge('sampler', 'latent', 'decode', 'latent'),
      edge('decode', 'image', 'metrics', 'source'),
      edge('decode', 'image', 'metrics', 'edit'),
      edge('target', 'prompt', 'metrics', 'target'),
    ],
  };
  const loaded = loadDocument(JSON.stringify(doc), { registry });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  return loaded.value;
}

describe('Tune node on tiny-shapes', () => {
  it('feeds its best schedule to the Edit sampler, within its budget, with progress', async () => {
    const progress: number[] = [];
    const started = performance.now();
    const r = await engine.run(tuneDoc(), {
      outputs: ['metrics', 'tune'],
      onEvent: (ev) => {
        if (ev.type === 'progress' && ev.nodeId === 'tune') progress.push(ev.value / ev.max);
      },
    });
    expect(r.errors).toEqual([]);
    const tune = r.outputs.get('tune')!;
    const values = (tune.metrics as MetricsValue).values;
    expect(values.runs).toBeLessThanOrEqual(4);
    // Picked by the default rule (mean J minus 1 standard error over the tuning seeds), a bound
    // below the winner's mean J.
    expect((tune.metrics as MetricsValue).context?.select).toBe('lcb (z 1)');
    expect(values['best.selectScore']).toBeLessThanOrEqual(values['best.tuneJ']! + 1e-12);
    const schedule = tune.schedule as ScheduleSpec;
    expect(schedule.cross.default).toBe(values['best.cross']);
    expect(schedule.blend?.k).toBe(values['best.k']);
    // Held-back J of each setting on seed 9, in [0, 1].
    for (const s of ['tuned', 'reference', 'clP2p']) expect(values[`${s}.j`]).toBeGreaterThanOrEqual(0);
    const edit = (r.outputs.get('metrics')!.metrics as MetricsValue).values;
    expect(edit.iou).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(1);
    expect(progress.length).toBeGreaterThan(3);
    expect(performance.now() - started).toBeLessThan(60_000);
  });

  it('stops when the run is cancelled', async () => {
    const controller = new AbortController();
    // Another search seed, so the engine's cache of the first test's result does not answer.
    const r = await engine.run(tuneDoc(1), {
      outputs: ['tune'],
      signal: controller.signal,
      onEvent: (ev) => {
        if (ev.type === 'progress' && ev.nodeId === 'tune' && ev.value > 0) controller.abort();
      },
    });
    expect(r.status).toBe('interrupted');
  });
});
