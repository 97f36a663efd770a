import { describe, expect, it } from 'vitest';
import { canvasNodeIds } from './canvasNodeIds';
import { EditorStore } from './EditorStore';
import { wordsForPicker } from './promptWords';
import { templateDocument } from './templates';
import { testIndex, testRegistry } from './testSupport';

/** The CL P2P block template: a workflow whose edit is one node of the shipped block. */
function store() {
  const s = new EditorStore({ index: testIndex(), registry: testRegistry() });
  s.load(templateDocument('cl-p2p-block')!);
  return s;
}
const definition = (s: EditorStore) => s.document().subgraphs!.find((d) => d.id === 'cl-p2p-edit')!;
const ids = (s: EditorStore) => s.getState().graph.nodes.map((n) => n.id);

describe('editing a block in place', () => {
  it('shows the inside of a block, writes edits back into its definition, and undoes the visit in one step', () => {
    const s = store();
    expect(s.getState().problems.errorCount).toBe(0);
    expect(s.openBlock('cl-p2p-edit')).toEqual({ ok: true });
    expect(ids(s).sort()).toEqual(['blend1', 'sampler', 'schedule1']);
    const scope = s.getState().scope!;
    expect(scope.path.map((p) => p.name)).toEqual(['CL P2P edit']);
    expect(scope.exposures.inputs.get('schedule1')?.get('source')).toBe('sourcePrompt');
    expect(scope.exposures.params.get('blend1')?.get('k')).toBe('k');
    // Exposed inputs are fed from outside: no "not connected" problem inside.
    expect(s.getState().problems.errorCount).toBe(0);
    expect(s.getState().canUndo).toBe(false);
    // Frames live in the workflow's editor data, which a definition does not have.
    s.selectOnly(['sampler']);
    expect(s.groupSelection()).toBeUndefined();

    s.setParam('schedule1', 'mode', 'refine');
    expect(s.getState().dirty).toBe(true);
    // The document (saved, run) is the whole workflow with the edit in the definition, even inside.
    expect(s.document().nodes.map((n) => n.id)).toContain('capture');
    expect(definition(s).nodes.find((n) => n.id === 'schedule1')!.params.mode).toBe('refine');
    s.undo();
    expect(definition(s).nodes.find((n) => n.id === 'schedule1')!.params.mode).toBe('replace');
    s.redo();

    s.closeBlock();
    expect(s.getState().scope).toBeUndefined();
    expect(ids(s)).toContain('capture');
    expect(s.getState().graph.nodes.find((n) => n.id === 'cl-p2p-edit')!.selected).toBe(true);
    expect(definition(s).nodes.find((n) => n.id === 'schedule1')!.params.mode).toBe('refine');
    expect(s.getState().canUndo).toBe(true);
    s.undo();
    expect(definition(s).nodes.find((n) => n.id === 'schedule1')!.params.mode).toBe('replace');
    expect(s.getState().dirty).toBe(false);
  });

  it("shows inner problems on inner nodes and the block's unconnected inputs as the workflow's", () => {
    const s = store();
    s.removeEdges(
      s
        .getState()
        .graph.edges.filter((e) => e.target === 'cl-p2p-edit' && e.targetHandle === 'model')
        .map((e) => e.id),
    );
    s.openBlock('cl-p2p-edit');
    s.setParam('blend1', 'k', 'lots');
    const { problems } = s.getState();
    expect(problems.byNode.get('blend1')?.params.k?.[0]?.code).toBe('INVALID_PARAM');
    expect(problems.byNode.has('sampler')).toBe(false);
    expect(problems.graph.map((e) => e.message)).toContain(
      'input "model" of block "CL P2P edit" is not connected where it is used',
    );
  });

  it('drops exposures whose inner node is gone, with the outer links and block params that used them', () => {
    const s = store();
    s.setParam('cl-p2p-edit', 'k', 0.5);
    const before = s
      .getState()
      .graph.edges.filter((e) => e.target === 'cl-p2p-edit')
      .map((e) => e.targetHandle);
    expect(before.sort()).toEqual(['model', 'source', 'sourcePrompt', 'targetPrompt']);
    s.openBlock('cl-p2p-edit');
    s.removeNodes(['blend1']);
    s.closeBlock();
    const def = definition(s);
    expect(def.params.map((p) => p.name)).toEqual(['cross', 'self', 'selfResolutionDivisor']);
    expect(def.inputs.find((i) => i.name === 'sourcePrompt')!.targets).toEqual([
      { node: 'schedule1', input: 'source' },
    ]);
    expect(s.getState().graph.nodes.find((n) => n.id === 'cl-p2p-edit')!.data.params).not.toHaveProperty('k');
    expect(s.getState().problems.errorCount).toBe(0);
  });

  it('adds nodes and links inside, opens nested blocks, and a load leaves every block', () => {
    const s = store();
    s.openBlock('cl-p2p-edit');
    // Fold two inner nodes into a block within the block, then open that one too.
    s.selectOnly(['schedule1']);
    const inner = s.foldSelection({ name: 'Schedule only' });
    expect(inner.ok).toBe(true);
    const nestedId = inner.ok ? inner.nodeId : '';
    expect(s.openBlock(nestedId)).toEqual({ ok: true });
    expect(s.getState().scope!.path.map((p) => p.name)).toEqual(['CL P2P edit', 'Schedule only']);
    expect(s.canvasPrefix).toBe(`cl-p2p-edit/${nestedId}/`);
    s.setParam('schedule1', 'cross', 0.3);
    expect(s.getState().problems.errorCount).toBe(0);
    s.closeBlock(Infinity);
    expect(s.getState().scope).toBeUndefined();
    const doc = s.document();
    const nested = doc.subgraphs!.find((d) => d.name === 'Schedule only')!;
    expect(nested.nodes[0]!.params.cross).toBe(0.3);
    expect(definition(s).nodes.map((n) => n.type)).toContain(`subgraph:${nested.id}`);
    expect(s.getState().problems.errorCount).toBe(0);

    // Unfolding the inner block inside gives the exposures back to its nodes.
    s.openBlock('cl-p2p-edit');
    const back = s.unfold(nestedId);
    expect(back.ok).toBe(true);
    const added = s.addNode('ptp.prompt', { x: 0, y: 400 })!;
    s.setParam(added, 'text', 'a spare prompt');
    s.closeBlock();
    const def = definition(s);
    expect(def.inputs.find((i) => i.name === 'sourcePrompt')!.targets).toContainEqual({
      node: 'schedule1',
      input: 'source',
    });
    expect(def.params.find((p) => p.name === 'cross')).toMatchObject({ node: 'schedule1', param: 'cross' });
    expect(def.nodes.find((n) => n.id === added)!.params.text).toBe('a spare prompt');
    expect(s.getState().problems.errorCount).toBe(0);

    s.openBlock('cl-p2p-edit');
    s.load(templateDocument('word-swap')!);
    expect(s.getState().scope).toBeUndefined();
    expect(ids(s)).toContain('blend1');
    expect(s.getState().canUndo).toBe(false);
  });

  it("offers the words of the prompts that feed the block's inputs from outside", () => {
    const s = store();
    s.openBlock('cl-p2p-edit');
    const { nodes, edges } = s.wordsGraph();
    const words = (id: string, from: string) => wordsForPicker(id, from, nodes, edges, s.index);
    expect(words('blend1', 'source')).toEqual([
      'a',
      'yellow',
      'square',
      'and',
      'red',
      'circle',
      'on',
      'black',
      'background',
    ]);
    expect(words('blend1', 'target')).toContain('purple');
    // The canvas itself holds only the inside.
    expect(s.getState().graph.nodes).toHaveLength(3);
  });

  it("maps a run's flattened ids onto the open block's canvas", () => {
    const map = canvasNodeIds(new Set(['sampler', 'inner-block']), 'edit/');
    expect(['edit/sampler', 'edit/inner-block/x', 'save', 'edit', 'edit/gone'].map(map)).toEqual([
      'sampler',
      'inner-block',
      'save',
      'edit',
      'gone',
    ]);
  });

  it('refuses to open what is not a block', () => {
    const s = store();
    expect(s.openBlock('capture')).toEqual({ ok: false, message: '"capture" is not a block node' });
    expect(s.getState().scope).toBeUndefined();
  });
});
