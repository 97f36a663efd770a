import { buildCatalogue, CatalogueSchema, Engine, loadDocument, validateGraph, type RunEvent } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { createNodeRegistry } from './allNodes.js';

const registry = createNodeRegistry();

const swap = (target: string, scheduleParams: Record<string, unknown> = {}) => ({
  schemaVersion: 3,
  metadata: { name: 'swap', tags: [] },
  nodes: [
    { id: 'src', type: 'ptp.prompt', typeVersion: 1, params: { text: 'a photo of a cat' } },
    { id: 'tgt', type: 'ptp.prompt', typeVersion: 1, params: { text: target } },
    { id: 'sched', type: 'ptp.injectionSchedule', typeVersion: 1, params: scheduleParams },
    { id: 'show', type: 'ptp.showValue', typeVersion: 1, params: {} },
  ],
  edges: [
    { from: { node: 'src', output: 'prompt' }, to: { node: 'sched', input: 'source' } },
    { from: { node: 'tgt', output: 'prompt' }, to: { node: 'sched', input: 'target' } },
    { from: { node: 'sched', output: 'schedule' }, to: { node: 'show', input: 'value' } },
  ],
});

async function run(json: unknown) {
  const loaded = loadDocument(json, { registry });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  const events: RunEvent[] = [];
  const result = await new Engine(registry).run(loaded.value, { onEvent: (e) => events.push(e) });
  return { result, last: events.at(-1)! };
}

describe('node catalogue', () => {
  it('describes every node with sockets, defaults and bounds, and is valid JSON', () => {
    const catalogue = buildCatalogue(registry);
    expect(CatalogueSchema.safeParse(JSON.parse(JSON.stringify(catalogue))).success).toBe(true);
    const schedule = catalogue.nodes.find((n) => n.type === 'ptp.injectionSchedule')!;
    expect(schedule.inputs.source).toMatchObject({ type: 'PROMPT' });
    expect(schedule.defaults).toMatchObject({ mode: 'replace', cross: 0.8, self: 0.4 });
    const props = (schedule.params as { properties: Record<string, Record<string, unknown>> }).properties;
    expect(props.vBeta).toMatchObject({ minimum: 0, maximum: 1, step: 0.05 });
    expect(props.mode).toMatchObject({ enum: ['replace', 'refine', 'reweight'] });
    for (const node of catalogue.nodes)
      expect(registry.get(node.type)!.params.safeParse(node.defaults).success).toBe(true);
  });
});

describe('schedule and blend nodes', () => {
  it('builds a word-swap schedule', async () => {
    const { result } = await run(swap('a photo of a dog', { crossWords: { dog: [0, 0.5] }, equalizer: { dog: 2 } }));
    expect(result.status).toBe('success');
    const summary = result.outputs.get('show')!.summary as Record<string, unknown>;
    expect(summary).toMatchObject({ mode: 'replace', reweightAfter: true });
  });

  it('refuses word swap with different word counts, naming both prompts and suggesting refine', async () => {
    const { result, last } = await run(swap('a photo of a fluffy dog'));
    expect(result.status).toBe('error');
    expect(last).toMatchObject({ type: 'error', nodeId: 'sched', input: 'target' });
    if (last.type === 'error') {
      expect(last.message).toContain('"a photo of a cat"');
      expect(last.message).toContain('"a photo of a fluffy dog"');
      expect(last.message).toContain('refine');
    }
    expect((await run(swap('a photo of a fluffy dog', { mode: 'refine' }))).result.status).toBe('success');
  });

  it('rejects per-word windows for words the target lacks, and bad windows at validation', async () => {
    const { last } = await run(swap('a photo of a dog', { crossWords: { horse: 0.3 } }));
    expect(last).toMatchObject({ type: 'error', nodeId: 'sched', param: 'crossWords', code: 'INVALID_PARAM' });
    const loaded = loadDocument(swap('a photo of a dog', { cross: [0.9, 0.1], vBeta: 3 }), { registry });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const report = validateGraph(loaded.value, registry);
    expect(report.errors.map((e) => [e.nodeId, e.param])).toEqual([
      ['sched', 'cross'],
      ['sched', 'vBeta'],
    ]);
  });
});
