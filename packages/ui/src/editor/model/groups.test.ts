import { loadDocument } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { documentToGraph, graphToDocument } from './editorGraph';
import { EditorStore } from './EditorStore';
import { FRAME_PAD, FRAME_TITLE, frameOf } from './groups';
import { testIndex, testRegistry } from './testSupport';

function storeWithThree() {
  const store = new EditorStore({ index: testIndex(), registry: testRegistry() });
  for (const [i, type] of ['ptp.prompt', 'ptp.prompt', 'ptp.blend'].entries())
    store.addNode(type, { x: i * 300, y: i * 10 });
  return store;
}

describe('groups', () => {
  it('frames the selection, moves with its nodes, renames, saves in ui.groups and undoes', () => {
    const store = storeWithThree();
    const [a, b, c] = store.getState().graph.nodes.map((n) => n.id);
    store.selectOnly([a!, b!]);
    const id = store.groupSelection('Prompts')!;
    expect(store.getState().graph.groups).toEqual([{ id, title: 'Prompts', color: expect.any(String), nodes: [a, b] }]);
    store.updateGroup(id, { title: 'Source and target' });
    store.beginDrag();
    store.moveGroup(id, 50, -20);
    store.endDrag();
    const pos = (n: string) => store.getState().graph.nodes.find((x) => x.id === n)!.position;
    expect(pos(a!)).toEqual({ x: 50, y: -20 });
    expect(pos(b!)).toEqual({ x: 350, y: -10 });
    expect(pos(c!)).toEqual({ x: 600, y: 20 });

    // Saved with the document (editor-only), loaded back the same; a removed node leaves its group.
    const doc = store.document();
    expect(doc.ui?.groups).toEqual([{ id, title: 'Source and target', color: expect.any(String), nodes: [a, b] }]);
    const loaded = loadDocument(JSON.parse(JSON.stringify(doc)));
    expect(loaded.ok && documentToGraph(loaded.value).groups).toEqual(doc.ui?.groups);
    store.removeNodes([a!]);
    expect(store.document().ui?.groups?.[0]?.nodes).toEqual([b]);
    store.removeNodes([b!]);
    expect(store.document().ui?.groups).toBeUndefined();

    store.undo();
    store.undo();
    store.undo(); // the move
    expect(pos(a!)).toEqual({ x: 0, y: 0 });
    store.undo(); // the rename
    store.undo(); // the group
    expect(store.getState().graph.groups ?? []).toEqual([]);
  });

  it('a node joins one group at a time; ungroup removes the frame only', () => {
    const store = storeWithThree();
    const [a, b] = store.getState().graph.nodes.map((n) => n.id);
    store.selectOnly([a!, b!]);
    const first = store.groupSelection()!;
    store.selectOnly([b!]);
    const second = store.groupSelection()!;
    expect(store.getState().graph.groups!.map((g) => [g.id, g.nodes])).toEqual([
      [first, [a]],
      [second, [b]],
    ]);
    store.ungroup(first);
    expect(store.getState().graph.groups!.map((g) => g.id)).toEqual([second]);
    expect(store.getState().graph.nodes).toHaveLength(3);
  });

  it("a frame encloses its nodes' boxes with padding and a title bar", () => {
    const graph = documentToGraph(
      graphToDocument({
        nodes: [],
        edges: [],
        metadata: { name: 'x', description: '', tags: [] },
      }),
    );
    expect(graph.groups).toBeUndefined();
    const nodes = [
      {
        id: 'p',
        type: 'ptp' as const,
        position: { x: 10, y: 20 },
        data: {} as never,
        measured: { width: 100, height: 50 },
      },
      {
        id: 'q',
        type: 'ptp' as const,
        position: { x: 200, y: 100 },
        data: {} as never,
        measured: { width: 80, height: 40 },
      },
    ];
    expect(frameOf({ id: 'g', title: '', color: '', nodes: ['p', 'q'] }, nodes)).toEqual({
      x: 10 - FRAME_PAD,
      y: 20 - FRAME_PAD - FRAME_TITLE,
      width: 270 + 2 * FRAME_PAD,
      height: 120 + 2 * FRAME_PAD + FRAME_TITLE,
    });
    expect(frameOf({ id: 'g', title: '', color: '', nodes: ['gone'] }, nodes)).toBeUndefined();
  });

  it('a node dropped into a frame joins that group; a member dragged out of its frame leaves it; one undo step each', () => {
    const store = storeWithThree();
    const [a, b, c] = store.getState().graph.nodes.map((n) => n.id);
    store.selectOnly([a!, b!]);
    const id = store.groupSelection()!;
    const members = () => store.getState().graph.groups?.find((g) => g.id === id)?.nodes;
    const drag = (n: string, to: { x: number; y: number }) => {
      store.beginDrag();
      store.setNodes(
        store.getState().graph.nodes.map((x) => (x.id === n ? { ...x, position: to } : x)),
        'drag',
      );
      store.endDrag();
    };
    // Moved within its frame: still a member (the frame spans x -16..556 before the drag).
    drag(b!, { x: 250, y: 40 });
    expect(members()).toEqual([a, b]);
    // c (not a member) dropped with its centre inside the frame joins the group.
    drag(c!, { x: 100, y: 60 });
    expect(members()).toEqual([a, b, c]);
    store.undo();
    expect(members()).toEqual([a, b]);
    expect(store.getState().graph.nodes.find((n) => n.id === c)!.position).toEqual({ x: 600, y: 20 });
    // b dragged far away leaves; the group keeps a.
    drag(b!, { x: 2000, y: 2000 });
    expect(members()).toEqual([a]);
    // The last member dragged away alone: a whole group moved, it stays a group.
    drag(a!, { x: -900, y: 0 });
    expect(members()).toEqual([a]);
  });
});
