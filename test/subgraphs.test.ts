import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, foldNodes, loadDocument, unfoldNode, validateGraph, type WorkflowDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { OrtNodeBackend } from '@ptp/runner/backends/OrtNodeBackend';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/repoRoot.js';

/**
 * Issue 16 part 2 on the tiny-shapes pack: the shipped CL P2P block (examples/tiny-cl-p2p-block.json)
 * and a selection folded on the fly run to exactly the pixels of the unfolded graph, and with the
 * same cache keys: on an engine that ran the unfolded graph, the folded one executes nothing.
 */
const registry = createNodeRegistry();
const backend = new OrtNodeBackend({ provider: 'cpu' });
afterAll(() => backend.release());

function example(name: string, steps = 6): WorkflowDocument {
  const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples', name), 'utf8'), { registry });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  loaded.value.nodes.find((n) => n.id === 'capture')!.params.steps = steps;
  return loaded.value;
}

/** The images every output node passed on (Save image's `image`), by node id. */
async function images(engine: Engine, doc: WorkflowDocument) {
  const r = await engine.run(doc);
  expect(r.status, JSON.stringify(r.errors)).toBe('success');
  const out = new Map<string, number[]>();
  for (const [id, values] of r.outputs) {
    const batch = values.image as { images?: { rgba: Uint8Array }[] } | undefined;
    for (const [i, image] of (batch?.images ?? []).entries()) out.set(`${id}#${i}`, Array.from(image.rgba));
  }
  expect(out.size).toBeGreaterThan(0);
  return { result: r, out };
}

describe('blocks (subgraphs) on the tiny-shapes pack', () => {
  it('the shipped CL P2P block edits to the same image as the unfolded CL P2P graph, from the cache', async () => {
    const engine = new Engine(registry, { backend });
    const plain = await engine.run(example('tiny-cl-p2p.json'));
    expect(plain.status).toBe('success');
    const block = example('tiny-cl-p2p-block.json');
    expect(validateGraph(block, registry).ok).toBe(true);
    const again = await engine.run(block);
    expect(again.status).toBe('success');
    // Same signatures: nothing ran again.
    expect(again.executed).toEqual([]);
    expect(again.cached).toEqual(expect.arrayContaining(['save', 'viewer']));

    // A fresh engine computes the block's inner nodes and gets the same latent.
    const fresh = new Engine(registry, { backend });
    const latentOf = async (doc: WorkflowDocument, id: string) =>
      (await fresh.run(doc, { outputs: [id] })).outputs.get(id)!.latent as { data: Float32Array };
    const folded = await latentOf(block, 'cl-p2p-edit');
    fresh.cache.clear();
    const unfolded = await latentOf(example('tiny-cl-p2p.json'), 'sampler');
    expect(Array.from(folded.data)).toEqual(Array.from(unfolded.data));
  });

  it('folding a selection and unfolding it again keeps what the graph computes', async () => {
    const doc = example('tiny-word-swap.json', 4);
    const ids = doc.nodes.filter((n) => ['ptp.editSampler', 'ptp.decode'].includes(n.type)).map((n) => n.id);
    const folded = foldNodes(doc, ids, { name: 'Edit and decode' });
    if (!folded.ok) throw new Error(folded.errors[0]!.message);
    const engine = new Engine(registry, { backend });
    const before = await images(engine, doc);
    const after = await images(engine, folded.value.doc);
    expect(after.result.executed).toEqual([]);
    expect([...after.out]).toEqual([...before.out]);
    const unfolded = unfoldNode(folded.value.doc, folded.value.nodeId);
    if (!unfolded.ok) throw new Error(unfolded.errors[0]!.message);
    expect(validateGraph(unfolded.value.doc, registry).ok).toBe(true);
    const back = await images(engine, unfolded.value.doc);
    expect(back.result.executed).toEqual([]);
    expect([...back.out]).toEqual([...before.out]);
  });
});
