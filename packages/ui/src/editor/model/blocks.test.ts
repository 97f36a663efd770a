import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@ptp/graph-core';
import { blockDocument, mergeBlocks, offerOf, SHIPPED_BLOCKS } from './blocks';
import { canvasNodeIds, eventOnCanvas, resultsOnCanvas } from './canvasNodeIds';
import { EditorStore } from './EditorStore';
import { templateDocument } from './templates';
import { testIndex, testRegistry } from './testSupport';

function store() {
  const s = new EditorStore({ index: testIndex(), registry: testRegistry() });
  s.load(templateDocument('word-swap')!);
  return s;
}

describe('blocks in the editor model', () => {
  it('folds the selection into a block node with catalogue sockets, undoes it, and unfolds it', () => {
    const s = store();
    s.selectOnly(['schedule1', 'blend1', 'sampler']);
    const folded = s.foldSelection({ name: 'Swap edit', params: [{ name: 'k', node: 'blend1', param: 'k' }] });
    expect(folded).toEqual({ ok: true, nodeId: 'swap-edit' });
    const state = s.getState();
    expect(state.graph.nodes.map((n) => n.id)).not.toContain('sampler');
    expect(state.problems.errorCount).toBe(0);
    const entry = state.index.byType.get('subgraph:swap-edit')!;
    expect(Object.keys(entry.inputs)).toEqual(['model', 'source', 'source_prompt', 'target']);
    expect(entry.outputs.latent!.type).toBe('LATENT');
    expect(s.document().subgraphs).toHaveLength(1);

    s.undo();
    expect(s.getState().graph.nodes.map((n) => n.id)).toContain('sampler');
    expect(s.document().subgraphs).toBeUndefined();
    s.redo();
    s.setParam('swap-edit', 'k', 0.7);
    const unfolded = s.unfold('swap-edit');
    expect(unfolded.ok).toBe(true);
    expect(s.getState().graph.nodes.find((n) => n.id === 'blend1')!.data.params.k).toBe(0.7);
    expect(s.getState().problems.errorCount).toBe(0);
  });

  it('adds a shipped block, reusing an identical definition and renaming a different one with the same id', () => {
    const cl = SHIPPED_BLOCKS.find((b) => b.blockId === 'cl-p2p-edit')!;
    expect(cl.definitions.map((d) => d.name)).toEqual(['CL P2P edit']);
    const s = store();
    const a = s.addBlock(cl.definitions, cl.blockId, { x: 0, y: 0 });
    const b = s.addBlock(cl.definitions, cl.blockId, { x: 0, y: 0 });
    expect([a, b]).toEqual(['cl-p2p-edit', 'cl-p2p-edit_2']);
    expect(s.document().subgraphs).toHaveLength(1);
    const other = { ...cl.definitions[0]!, name: 'Other' };
    const merged = mergeBlocks(s.document().subgraphs!, [other]);
    expect(merged.ids.get('cl-p2p-edit')).toBe('cl-p2p-edit_2');
    // A library document of the block offers it back.
    const doc = blockDocument(s.document().subgraphs!, 'cl-p2p-edit')!;
    expect(doc.metadata.tags).toEqual(['block']);
    expect(offerOf(doc, { library: 'w1' })?.blockId).toBe('cl-p2p-edit');
  });

  it('shows what the inner nodes of a block did on the block node', () => {
    const map = canvasNodeIds(new Set(['block', 'save']));
    expect(['block/sampler', 'save', 'other/x', 'block'].map(map)).toEqual(['block', 'save', 'other/x', 'block']);
    const started = eventOnCanvas(
      {
        type: 'run_started',
        runId: 'r',
        seq: 0,
        time: 0,
        nodes: ['block/a', 'block/b', 'save'],
        cached: [],
        targets: ['save'],
      },
      map,
    ) as Extract<RunEvent, { type: 'run_started' }>;
    expect(started.nodes).toEqual(['block', 'save']);
    const results = resultsOnCanvas(
      new Map([
        ['block/save1', { images: [{ name: 'a.png', mime: 'image/png' }], runSerial: 1 }],
        ['block/save2', { images: [{ name: 'b.png', mime: 'image/png' }], runSerial: 1 }],
      ]),
      map,
    );
    expect(results.get('block')!.images.map((i) => i.name)).toEqual(['a.png', 'b.png']);
  });
});

describe('copying block nodes', () => {
  it('carries the block definitions to another workflow', () => {
    const a = store();
    a.selectOnly(['schedule1', 'blend1', 'sampler']);
    a.foldSelection({ name: 'Swap edit' });
    a.selectOnly(['swap-edit']);
    const payload = a.copySelection()!;
    expect(payload.subgraphs?.map((d) => d.id)).toEqual(['swap-edit']);
    const b = new EditorStore({ index: testIndex(), registry: testRegistry() });
    b.newDocument();
    const [id] = b.paste(payload);
    expect(id).toBe('swap-edit');
    expect(b.document().subgraphs?.[0]?.name).toBe('Swap edit');
    expect(b.getState().index.byType.has('subgraph:swap-edit')).toBe(true);
  });
});
