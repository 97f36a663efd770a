import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, loadDocument, validateGraph, type RunEvent, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry, type LatentBatch } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';

const registry = createNodeRegistry();
const backend = new OrtNodeBackend({ provider: 'cpu' });
const engine = new Engine(registry, { backend });
afterAll(() => backend.release());

function example(name: string, edit: (doc: WorkflowDocument) => void = () => {}): WorkflowDocument {
  const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples', `${name}.json`), 'utf8'), { registry });
  if (!loaded.ok) throw new Error('example failed to load');
  const doc = loaded.value;
  doc.nodes.find((n) => n.id === 'capture')!.params.steps = 8;
  edit(doc);
  return doc;
}
const node = (doc: WorkflowDocument, id: string) => doc.nodes.find((n) => n.id === id)!;

async function lastError(doc: WorkflowDocument) {
  const events: RunEvent[] = [];
  const r = await engine.run(doc, { onEvent: (e) => events.push(e) });
  expect(r.status).toBe('error');
  return events.at(-1)!;
}

describe('edit semantics', () => {
  it('an edit whose controls are all neutral equals plain generation of the edit prompt', async () => {
    const doc = example('tiny-word-swap', (d) => {
      Object.assign(node(d, 'schedule1').params, { cross: 0, self: 0 });
      d.edges = d.edges.filter((e) => e.to.input !== 'blend');
      d.nodes.push({ id: 'plain', type: 'ptp.textToImage', typeVersion: 1, params: { ...node(d, 'capture').params } });
      d.edges.push(
        { from: { node: 'model', output: 'model' }, to: { node: 'plain', input: 'model' } },
        { from: { node: 'target1', output: 'prompt' }, to: { node: 'plain', input: 'prompt' } },
      );
    });
    const r = await engine.run(doc, { outputs: ['sampler', 'plain', 'capture'] });
    expect(r.errors).toEqual([]);
    const edit = r.outputs.get('sampler')!.latent as LatentBatch;
    const plain = r.outputs.get('plain')!.latent as LatentBatch;
    const source = r.outputs.get('capture')!.latent as LatentBatch;
    const n = plain.data.length;
    const diff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
    console.info(
      `[edit semantics] neutral edit vs plain: ${diff(edit.data.subarray(n), plain.data)}; source branch vs capture: ${diff(edit.data.subarray(0, n), source.data)}`,
    );
    expect(diff(edit.data.subarray(n), plain.data)).toBeLessThanOrEqual(1e-6);
    // The source branch of the edit batch is the capture node's source.
    expect(diff(edit.data.subarray(0, n), source.data)).toBeLessThanOrEqual(1e-6);
  });
});

describe('bad input gets structured errors', () => {
  it('an unknown word in blend words names the blend node and param', async () => {
    const e = await lastError(example('tiny-word-swap', (d) => (node(d, 'blend1').params.targetWords = ['unicorn'])));
    expect(e).toMatchObject({ type: 'error', nodeId: 'blend1', param: 'targetWords', code: 'INVALID_PARAM' });
  });

  it('windows and beta outside [0, 1] are refused by validation, all at once', () => {
    const doc = example('tiny-v-injection', (d) =>
      Object.assign(node(d, 'schedule1').params, { cross: 1.5, self: [0.5, 0.2], vBeta: 2 }),
    );
    const errors = validateGraph(doc, registry).errors.map((x) => [x.nodeId, x.param, x.code]);
    expect(errors).toEqual([
      ['schedule1', 'cross', 'INVALID_PARAM'],
      ['schedule1', 'self', 'INVALID_PARAM'],
      ['schedule1', 'vBeta', 'INVALID_PARAM'],
    ]);
  });

  it('an empty edit prompt is refused before running, on the prompt node and its text', async () => {
    const e = await lastError(example('tiny-v-injection', (d) => (node(d, 'target1').params.text = '')));
    expect(e).toMatchObject({ type: 'error', nodeId: 'target1', param: 'text', code: 'INVALID_PARAM' });
  });

  it('a word swap between prompts of different lengths names the schedule and its input', async () => {
    const e = await lastError(
      example('tiny-v-injection', (d) => (node(d, 'target1').params.text = 'a big blue circle')),
    );
    expect(e).toMatchObject({ type: 'error', nodeId: 'schedule1', input: 'target' });
  });

  it('more tokens than the model reads is refused, not truncated', async () => {
    const long = Array.from({ length: 90 }, () => 'cat').join(' ');
    // Both prompts long (a valid word swap) and blend words they have: only the model's limit is left.
    const e = await lastError(
      example('tiny-word-swap', (d) => {
        node(d, 'source').params.text = long;
        node(d, 'target1').params.text = long;
        Object.assign(node(d, 'blend1').params, { sourceWords: ['cat'], targetWords: ['cat'] });
      }),
    );
    expect(e).toMatchObject({ type: 'error', nodeId: 'capture', input: 'prompt' });
    if (e.type === 'error') expect(e.message).toContain('at most 75');
  });
});
