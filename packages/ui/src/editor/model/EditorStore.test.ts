import { describe, expect, it } from 'vitest';
import { EditorStore } from './EditorStore';
import { graphToDocument } from './editorGraph';
import { templateDocument } from './templates';
import { testIndex, testRegistry } from './testSupport';

function store() {
  let t = 0;
  const s = new EditorStore({ index: testIndex(), registry: testRegistry(), now: () => (t += 5000) });
  s.load(templateDocument('word-swap')!);
  return s;
}
const params = (s: EditorStore, id: string) => s.getState().graph.nodes.find((n) => n.id === id)!.data.params;

describe('EditorStore', () => {
  it('opens a template clean and valid, and tracks unsaved changes against it', () => {
    const s = store();
    expect(s.getState().dirty).toBe(false);
    expect(s.getState().problems.errorCount).toBe(0);
    s.setParam('capture', 'steps', 4);
    expect(s.getState().dirty).toBe(true);
    s.undo();
    expect(s.getState().dirty).toBe(false); // back to what was opened
    s.redo();
    s.markSaved({ id: 'w1', version: 1 });
    expect(s.getState().dirty).toBe(false);
    expect(s.getState().library).toEqual({ id: 'w1', version: 1 });
    // A run of it names its library entry (History reopens the run as that workflow).
    expect(s.document().id).toBe('w1');
    // Panning is not an edit.
    s.setViewport({ x: 10, y: 10, zoom: 2 });
    expect(s.getState().dirty).toBe(false);
  });

  it('bypasses the selection (Ctrl+B) and brings it back: saved as the node mode, checked as the run will, undoable', () => {
    const s = store();
    expect(s.toggleMode('bypass')).toBeUndefined(); // nothing selected
    s.selectOnly(['blend1']);
    expect(s.toggleMode('bypass')).toBe(true);
    expect(s.document().nodes.find((n) => n.id === 'blend1')!.mode).toBe('bypass');
    // The schedule's blend input is optional: the edit runs without local blend.
    expect(s.getState().problems.errorCount).toBe(0);
    expect(s.getState().dirty).toBe(true);
    // A prompt has no input to pass its PROMPT on: what it fed says so.
    s.selectOnly(['blend1', 'target1']);
    expect(s.toggleMode('bypass')).toBe(true);
    const target = s.getState().problems.byNode.get('schedule1')?.inputs.target?.[0];
    expect(target).toMatchObject({ code: 'BYPASSED_INPUT' });
    expect(target!.message).toContain('comes from bypassed node "target1", which has no PROMPT input to pass on');
    expect(s.toggleMode('bypass')).toBe(false); // every selected one was bypassed: both come back
    expect(s.document().nodes.some((n) => n.mode)).toBe(false);
    expect(s.getState().problems.errorCount).toBe(0);
    s.undo();
    expect(
      new Set(
        s
          .document()
          .nodes.filter((n) => n.mode)
          .map((n) => n.id),
      ),
    ).toEqual(new Set(['target1', 'blend1']));
  });

  it('mutes the selection (Ctrl+M): what needs it is silenced with a warning, not an error; a mode replaces the other', () => {
    const s = store();
    s.selectOnly(['decode']);
    expect(s.toggleMode('mute')).toBe(true);
    expect(s.document().nodes.find((n) => n.id === 'decode')!.mode).toBe('mute');
    // Save image needs the decoded image: it falls silent; the attention viewer still runs.
    expect(s.getState().problems.errorCount).toBe(0);
    expect(s.getState().problems.byNode.get('save')?.inputs.image?.[0]).toMatchObject({
      code: 'MUTED_INPUT',
      severity: 'warning',
      message: 'does not run: required input "image" comes from muted node "decode"',
    });
    expect(s.toggleMode('bypass')).toBe(true); // muted -> bypassed: one mode at a time
    expect(s.document().nodes.find((n) => n.id === 'decode')!.mode).toBe('bypass');
    s.undo();
    expect(s.document().nodes.find((n) => n.id === 'decode')!.mode).toBe('mute');
    expect(s.toggleMode('mute')).toBe(false);
    expect(s.document().nodes.some((n) => n.mode)).toBe(false);
    expect(s.getState().problems.byNode.get('save')).toBeUndefined();
  });

  it('collapses the selection (Alt+C) and expands it again, one undo step each', () => {
    const s = store();
    expect(s.toggleCollapsed()).toBeUndefined();
    s.selectOnly(['source', 'target1']);
    expect(s.toggleCollapsed()).toBe(true);
    const collapsed = () =>
      s
        .getState()
        .graph.nodes.filter((n) => n.data.collapsed)
        .map((n) => n.id);
    expect(collapsed().sort()).toEqual(['source', 'target1']);
    expect(s.document().nodes.find((n) => n.id === 'source')!.ui?.collapsed).toBe(true);
    expect(s.toggleCollapsed()).toBe(false);
    expect(collapsed()).toEqual([]);
    s.undo();
    expect(collapsed().sort()).toEqual(['source', 'target1']);
    s.setSelectedNodesUi({ color: '#3b7a55' });
    expect(
      s
        .document()
        .nodes.filter((n) => n.ui?.color === '#3b7a55')
        .map((n) => n.id),
    ).toEqual(['source', 'target1']);
    s.undo(); // one step for both
    expect(s.document().nodes.some((n) => n.ui?.color)).toBe(false);
  });

  it('splits a link with a Reroute (one undo step): the run sees the same graph', () => {
    const s = store();
    const link = s.getState().graph.edges.find((e) => e.source === 'decode' && e.target === 'save')!;
    const id = s.rerouteEdge(link.id, { x: 10, y: 20 })!;
    const links = s.document().edges.map((e) => `${e.from.node}.${e.from.output} -> ${e.to.node}.${e.to.input}`);
    expect(links).toEqual(expect.arrayContaining([`decode.image -> ${id}.input`, `${id}.output -> save.image`]));
    expect(links).not.toContain('decode.image -> save.image');
    expect(s.document().nodes.find((n) => n.id === id)).toMatchObject({
      type: 'ptp.reroute',
      ui: { position: { x: 10, y: 20 } },
    });
    expect(s.getState().problems.errorCount).toBe(0);
    s.undo();
    expect(s.document().nodes.some((n) => n.type === 'ptp.reroute')).toBe(false);
    expect(s.document().edges.some((e) => e.from.node === 'decode' && e.to.node === 'save')).toBe(true);
    expect(s.rerouteEdge('no-such-link', { x: 0, y: 0 })).toBeUndefined();
  });

  it('puts a node dropped on a link into it (ComfyUI): types checked, only a node with no links, the drag one undo step', () => {
    const s = store();
    const link = s.getState().graph.edges.find((e) => e.source === 'decode' && e.target === 'save')!;
    const preview = s.addNode('ptp.previewImage', { x: 0, y: 0 })!;
    const prompt = s.addNode('ptp.prompt', { x: 0, y: 300 })!;
    expect(s.canSplice(prompt, link.id)).toBe(false); // no input takes an IMAGE
    expect(s.spliceIntoEdge(prompt, link.id)).toBe(false);
    expect(s.canSplice(preview, 'no-such-link')).toBe(false);
    expect(s.canSplice(preview, link.id)).toBe(true);

    const links = () => s.document().edges.map((e) => `${e.from.node}.${e.from.output} -> ${e.to.node}.${e.to.input}`);
    const before = links();
    s.beginDrag();
    const moved = s.getState().graph.nodes.map((n) => (n.id === preview ? { ...n, position: { x: 500, y: 40 } } : n));
    s.setNodes(moved, 'drag');
    expect(s.spliceIntoEdge(preview, link.id)).toBe(true);
    s.endDrag();
    expect(links()).toEqual(
      expect.arrayContaining([`decode.image -> ${preview}.image`, `${preview}.image -> save.image`]),
    );
    expect(links()).not.toContain('decode.image -> save.image');
    expect(s.getState().problems.errorCount).toBe(0);
    // Linked now: it is not put into another link (here the one it feeds).
    expect(s.canSplice(preview, s.getState().graph.edges.find((e) => e.target === 'save')!.id)).toBe(false);
    s.undo(); // the move and the splice go together
    expect(links()).toEqual(before);
    expect(s.getState().graph.nodes.find((n) => n.id === preview)!.position).toEqual({ x: 0, y: 0 });
  });

  it('puts a dropped picture into the Load image under it, or adds one where it fell (one undo step each)', () => {
    const s = store();
    const upload = 'a'.repeat(64);
    const placed = s.placeUpload(upload, { x: 40, y: 50 })!;
    expect(placed.added).toBe(true);
    const doc = () => s.document();
    expect(doc().nodes.find((n) => n.id === placed.nodeId)).toMatchObject({
      type: 'ptp.loadImage',
      params: { upload },
      ui: { position: { x: 40, y: 50 } },
    });
    expect(
      s
        .getState()
        .graph.nodes.filter((n) => n.selected)
        .map((n) => n.id),
    ).toEqual([placed.nodeId]);
    // Dropped on that node: its picture changes, no node is added.
    const other = 'b'.repeat(64);
    expect(s.placeUpload(other, { x: 0, y: 0 }, placed.nodeId)).toEqual({ nodeId: placed.nodeId, added: false });
    expect(
      doc()
        .nodes.filter((n) => n.type === 'ptp.loadImage')
        .map((n) => n.params?.upload),
    ).toEqual([other]);
    // Dropped on a node that takes no picture: a new Load image beside it.
    expect(s.placeUpload(other, { x: 0, y: 0 }, 'decode')!.added).toBe(true);
    expect(doc().nodes.filter((n) => n.type === 'ptp.loadImage')).toHaveLength(2);
    s.undo();
    s.undo();
    expect(doc().nodes.find((n) => n.id === placed.nodeId)!.params?.upload).toBe(upload);
    s.undo();
    expect(doc().nodes.some((n) => n.type === 'ptp.loadImage')).toBe(false);
  });

  it('moves a link to another socket (one undo step), refused when the types do not fit', () => {
    const s = store();
    const link = s.getState().graph.edges.find((e) => e.source === 'decode' && e.target === 'save')!;
    const preview = s.addNode('ptp.previewImage', { x: 0, y: 0 })!;
    const links = () => s.document().edges.map((e) => `${e.from.node}.${e.from.output} -> ${e.to.node}.${e.to.input}`);
    const before = links();
    const toPreview = { source: 'decode', sourceHandle: 'image', target: preview, targetHandle: 'image' };
    expect(s.reconnect(link.id, toPreview).ok).toBe(true);
    expect(links()).toContain(`decode.image -> ${preview}.image`);
    expect(links()).not.toContain('decode.image -> save.image');
    s.undo();
    expect(links()).toEqual(before);
    // An IMAGE link moved onto the viewer's ATTENTION input: refused, nothing changes.
    const refused = s.reconnect(link.id, { ...toPreview, target: 'viewer', targetHandle: 'attention' });
    expect(refused).toMatchObject({ ok: false, code: 'TYPE_MISMATCH' });
    expect(links()).toEqual(before);
    // While a link moves it does not count: dropped back where it was is no duplicate.
    const back = { source: 'decode', sourceHandle: 'image', target: 'save', targetHandle: 'image' };
    expect(s.checkConnection(back).ok).toBe(false);
    expect(s.checkConnection(back, link.id).ok).toBe(true);
  });

  it('links a link let go on a node to its first socket that takes it, a free one first', () => {
    const s = store();
    const links = () => s.document().edges.map((e) => `${e.from.node}.${e.from.output} -> ${e.to.node}.${e.to.input}`);
    const metrics = s.addNode('ptp.editMetrics', { x: 0, y: 0 })!;
    const fromDecode = { node: 'decode', handle: 'image', side: 'source' } as const;
    expect(s.connectToNode(fromDecode, metrics)).toBe(true);
    expect(links()).toContain(`decode.image -> ${metrics}.source`);
    const preview = s.addNode('ptp.previewImage', { x: 0, y: 300 })!;
    expect(s.connectToNode(fromDecode, preview)).toBe(true);
    // The second IMAGE goes to the free input (edit), not in place of source.
    expect(s.connectToNode({ node: preview, handle: 'image', side: 'source' }, metrics)).toBe(true);
    expect(links()).toEqual(
      expect.arrayContaining([`decode.image -> ${metrics}.source`, `${preview}.image -> ${metrics}.edit`]),
    );
    // Dragged from an input: the node's first output that fits feeds it.
    const another = s.addNode('ptp.previewImage', { x: 0, y: 600 })!;
    expect(s.connectToNode({ node: another, handle: 'image', side: 'target' }, 'decode')).toBe(true);
    expect(links()).toContain(`decode.image -> ${another}.image`);
    // Nothing takes it: no change.
    const before = links();
    expect(s.connectToNode(fromDecode, 'viewer')).toBe(false);
    expect(s.connectToNode(fromDecode, 'decode')).toBe(false);
    expect(links()).toEqual(before);
    s.undo();
    expect(links()).not.toContain(`decode.image -> ${another}.image`);
    // A link being moved and let go on a node: it is replaced, even on the node it came from.
    const toSave = s.getState().graph.edges.find((e) => e.source === 'decode' && e.target === 'save')!;
    expect(s.connectToNode(fromDecode, 'save')).toBe(false); // a duplicate of itself
    expect(s.connectToNode(fromDecode, 'save', toSave.id)).toBe(true);
    expect(links().filter((l) => l === 'decode.image -> save.image')).toHaveLength(1);
    expect(s.connectToNode(fromDecode, 'viewer', toSave.id)).toBe(false);
    expect(links()).toContain('decode.image -> save.image'); // kept when nothing takes it
  });

  it('keys each node by what feeds it: a move keeps the keys, a param edit changes those downstream', () => {
    const s = store();
    const keys = s.canvasInputKeys();
    s.arrange();
    expect(s.canvasInputKeys()).toBe(keys);
    s.setParam('capture', 'steps', 4);
    const after = s.canvasInputKeys();
    expect(after.get('capture')).not.toBe(keys.get('capture'));
    expect(after.get('save')).not.toBe(keys.get('save'));
    expect(after.get('source')).toBe(keys.get('source'));
    expect(after.get('model')).toBe(keys.get('model'));
  });

  it('adds a node linked to a dangling link in one undo step', () => {
    const s = store();
    const before = s.getState().graph;
    const id = s.addNode(
      'ptp.decode',
      { x: 0, y: 0 },
      { node: 'capture', handle: 'latent', side: 'source', socket: 'latent' },
    );
    expect(id).toBeDefined();
    expect(
      s.getState().graph.edges.some((e) => e.source === 'capture' && e.target === id && e.targetHandle === 'latent'),
    ).toBe(true);
    // Dragged from a linked single input: the new node's link takes its place.
    const saveInput = s.getState().graph.edges.find((e) => e.target === 'save' && e.targetHandle === 'image')!;
    const fresh = s.addNode(
      'ptp.decode',
      { x: 0, y: 0 },
      { node: 'save', handle: 'image', side: 'target', socket: 'image' },
    )!;
    const into = s.getState().graph.edges.filter((e) => e.target === 'save' && e.targetHandle === 'image');
    expect(into.map((e) => e.source)).toEqual([fresh]);
    expect(into[0]!.id).not.toBe(saveInput.id);
    s.undo();
    s.undo();
    expect(s.getState().graph.nodes).toEqual(before.nodes);
    expect(s.getState().graph.edges).toEqual(before.edges);
  });

  it('pastes with the links that fed the copies only where the types still fit', () => {
    const s = store();
    s.selectOnly(['capture']);
    const payload = s.copySelection()!;
    const ids = s.paste(payload, undefined, true);
    const into = s.getState().graph.edges.filter((e) => e.target === ids[0]);
    expect(into.map((e) => e.source).sort()).toEqual(['model', 'source']);
    // Pasted into a graph whose "source" node is of another type: that link is left out.
    const other = store();
    other.removeNodes(['source']);
    other.addNode('ptp.decode', { x: 0, y: 0 });
    const decode = other.getState().graph.nodes.find((n) => n.data.nodeType === 'ptp.decode' && n.selected)!;
    const wrong = {
      ...payload,
      incoming: payload.incoming!.map((e) =>
        e.from.node === 'source' ? { ...e, from: { node: decode.id, output: 'image' } } : e,
      ),
    };
    const [pasted] = other.paste(wrong, undefined, true);
    expect(
      other
        .getState()
        .graph.edges.filter((e) => e.target === pasted)
        .map((e) => e.source),
    ).toEqual(['model']);
  });

  it('sets several params of a node as one undo step', () => {
    const s = store();
    const before = { ...params(s, 'capture') };
    s.setParams('capture', { steps: 9, guidance: 3 });
    expect(params(s, 'capture')).toMatchObject({ steps: 9, guidance: 3 });
    s.undo();
    expect(params(s, 'capture')).toEqual(before);
    expect(s.getState().canUndo).toBe(false);
  });

  it('undoes and redoes 60 separate edits', () => {
    const s = store();
    const original = graphToDocument(s.getState().graph);
    for (let i = 1; i <= 60; i++) s.setParam('capture', i % 2 ? 'seed' : 'steps', i);
    const edited = graphToDocument(s.getState().graph);
    let undone = 0;
    while (s.undo()) undone++;
    expect(undone).toBe(60);
    expect(graphToDocument(s.getState().graph)).toEqual(original);
    while (s.redo());
    expect(graphToDocument(s.getState().graph)).toEqual(edited);
  });

  it('merges a burst of edits to one param into one undo step', () => {
    const s = new EditorStore({ index: testIndex(), registry: testRegistry(), now: () => 0 });
    s.load(templateDocument('word-swap')!);
    for (let v = 0; v <= 1; v += 0.1) s.setParam('blend1', 'k', v);
    s.undo();
    expect(params(s, 'blend1').k).toBe(0.3);
    expect(s.getState().canUndo).toBe(false);
  });

  it('connects compatible sockets, refuses mismatches without changing anything, revalidates', () => {
    const s = store();
    s.removeEdges(['e2']); // source.prompt -> capture.prompt
    expect(s.getState().problems.byNode.get('capture')?.inputs.prompt?.[0]?.code).toBe('MISSING_INPUT');
    const before = s.getState().graph.edges;
    const refused = s.connect({ source: 'decode', sourceHandle: 'image', target: 'capture', targetHandle: 'prompt' });
    expect(refused).toMatchObject({ ok: false, code: 'TYPE_MISMATCH' });
    expect(s.getState().graph.edges).toBe(before);
    expect(s.connect({ source: 'target1', sourceHandle: 'prompt', target: 'capture', targetHandle: 'prompt' })).toEqual(
      { ok: true },
    );
    expect(s.getState().problems.byNode.get('capture')).toBeUndefined();
    // A link dropped on a linked single input takes the old one's place, as one undo step.
    const into = () => s.getState().graph.edges.filter((e) => e.target === 'capture' && e.targetHandle === 'prompt');
    const old = into()[0]!.id;
    expect(s.connect({ source: 'source', sourceHandle: 'prompt', target: 'capture', targetHandle: 'prompt' })).toEqual({
      ok: true,
      replaces: old,
    });
    expect(into().map((e) => e.source)).toEqual(['source']);
    s.undo();
    expect(into().map((e) => e.source)).toEqual(['target1']);
  });

  it('adds nodes with catalogue defaults and deletes the selection with its links in one step', () => {
    const s = store();
    const id = s.addNode('ptp.blend', { x: 5, y: 5 })!;
    expect(id).toBe('blend');
    expect(params(s, id)).toEqual({ sourceWords: [], targetWords: [], k: 0.3, start: 0, subtractWords: [] });
    expect(s.addNode('no.such', { x: 0, y: 0 })).toBeUndefined();
    s.selectOnly(['capture']);
    const edges = s.getState().graph.edges.length;
    s.deleteSelection();
    const g = s.getState().graph;
    expect(g.nodes.some((n) => n.id === 'capture')).toBe(false);
    expect(g.edges.length).toBe(edges - 4);
    s.undo();
    expect(s.getState().graph.edges.length).toBe(edges);
  });

  it('copies and pastes the selection as one undoable step', () => {
    const s = store();
    s.selectOnly(['source', 'target1', 'blend1']);
    const payload = s.copySelection()!;
    const ids = s.paste(payload, { x: 0, y: 900 });
    expect(ids).toHaveLength(3);
    const g = s.getState().graph;
    expect(
      g.nodes
        .filter((n) => n.selected)
        .map((n) => n.id)
        .sort(),
    ).toEqual([...ids].sort());
    expect(g.edges.filter((e) => ids.includes(e.target))).toHaveLength(2);
    s.undo();
    expect(s.getState().graph.nodes.length).toBe(g.nodes.length - 3);
  });

  it('makes one undo step per drag and checks unsaved changes when it ends', () => {
    const s = store();
    s.beginDrag();
    for (let i = 1; i <= 30; i++) {
      s.setNodes(
        s.getState().graph.nodes.map((n) => (n.id === 'model' ? { ...n, position: { x: i, y: i } } : n)),
        'drag',
      );
    }
    expect(s.getState().dirty).toBe(false); // not checked on every frame
    s.endDrag();
    expect(s.getState().dirty).toBe(true);
    s.undo();
    expect(s.getState().graph.nodes.find((n) => n.id === 'model')!.position).toEqual({ x: 0, y: 0 });
    expect(s.getState().canUndo).toBe(false);
  });

  it('notifies subscribers and reports unknown node types as problems on the node', () => {
    const s = store();
    let calls = 0;
    const off = s.subscribe(() => calls++);
    const doc = templateDocument('generate')!;
    doc.nodes.push({ id: 'alien', type: 'plugin.alien', typeVersion: 1, params: {} });
    s.load(doc);
    off();
    s.newDocument();
    expect(calls).toBe(1);
    expect(s.getState().graph.nodes).toHaveLength(0);
  });

  it('follows a rename of its library entry: the name and version change, saved stays saved, edits stay unsaved', () => {
    const s = store();
    s.markSaved({ id: 'w1', version: 1 });
    s.renamedInLibrary({ id: 'other', version: 7 }, 'Not this one');
    expect(s.getState().library).toEqual({ id: 'w1', version: 1 });
    s.renamedInLibrary({ id: 'w1', version: 2 }, 'Renamed');
    expect([s.getState().graph.metadata.name, s.getState().library, s.getState().dirty]).toEqual([
      'Renamed',
      { id: 'w1', version: 2 },
      false,
    ]);
    expect(s.getState().canUndo).toBe(false);
    s.setParam('capture', 'steps', 4);
    s.renamedInLibrary({ id: 'w1', version: 3 }, 'Renamed again');
    expect(s.getState().dirty).toBe(true);
    expect(s.document().metadata.name).toBe('Renamed again');
  });
});
