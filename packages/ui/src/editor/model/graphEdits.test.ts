import { describe, expect, it } from 'vitest';
import { copyNodes } from './clipboard';
import { documentToGraph } from './editorGraph';
import {
  withEdge,
  withNode,
  withNodeUi,
  withoutEdges,
  withoutNodes,
  withoutParam,
  withoutSelection,
  withParam,
  withPasted,
  withSelection,
} from './graphEdits';
import { templateDocument } from './templates';
import { node } from './testSupport';

describe('graph edits (pure: graph in, graph out)', () => {
  const g = documentToGraph(templateDocument('word-swap')!);
  const linksOf = (graph: typeof g, id: string) => graph.edges.filter((e) => e.source === id || e.target === id);

  it('returns the same graph when nothing changes, so no undo step is recorded', () => {
    const prompt = g.nodes.find((n) => n.data.nodeType === 'ptp.prompt')!;
    expect(withParam(g, prompt.id, 'text', prompt.data.params.text)).toBe(g);
    expect(withParam(g, 'no-such-node', 'text', 'x')).toBe(g);
    expect(withoutParam(g, prompt.id, 'not-set')).toBe(g);
    expect(withoutEdges(g, ['no-such-edge'])).toBe(g);
    expect(withoutNodes(g, ['no-such-node'])).toBe(g);
    expect(withoutSelection(g)).toBe(g);
    expect(withNodeUi(g, 'no-such-node', { label: 'x' })).toBe(g);
  });

  it('sets and drops a param on one node, leaving the others (and the input graph) as they were', () => {
    const prompt = g.nodes.find((n) => n.data.nodeType === 'ptp.prompt')!;
    const set = withParam(g, prompt.id, 'text', 'a red square');
    expect(set.nodes.find((n) => n.id === prompt.id)!.data.params.text).toBe('a red square');
    expect(set.nodes.filter((n) => n.id !== prompt.id)).toEqual(g.nodes.filter((n) => n.id !== prompt.id));
    expect(prompt.data.params.text).not.toBe('a red square');
    expect('text' in withoutParam(set, prompt.id, 'text').nodes.find((n) => n.id === prompt.id)!.data.params).toBe(
      false,
    );
    expect(withNodeUi(g, prompt.id, { label: 'Source' }).nodes.find((n) => n.id === prompt.id)!.data.label).toBe(
      'Source',
    );
  });

  it('removes nodes with their links, and the selection with selected links', () => {
    const id = g.nodes.find((n) => linksOf(g, n.id).length > 1)!.id;
    const removed = withoutNodes(g, [id]);
    expect(removed.nodes.map((n) => n.id)).not.toContain(id);
    expect(linksOf(removed, id)).toEqual([]);
    expect(removed.edges).toHaveLength(g.edges.length - linksOf(g, id).length);
    const edge = g.edges.find((e) => e.source !== id && e.target !== id)!;
    const selected = {
      ...withSelection(g, [id]),
      edges: g.edges.map((e) => (e === edge ? { ...e, selected: true } : e)),
    };
    const cut = withoutSelection(selected);
    expect(cut.nodes).toHaveLength(g.nodes.length - 1);
    expect(cut.edges).toHaveLength(g.edges.length - linksOf(g, id).length - 1);
  });

  it('adds a node or a pasted selection as the only selection, and links with fresh ids', () => {
    const sel = withSelection(g, [g.nodes[0]!.id]);
    const added = withNode(sel, node('extra', 'ptp.prompt'));
    expect(added.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(['extra']);
    const e = g.edges[0]!;
    const twice = withEdge(g, {
      source: e.source,
      sourceHandle: e.sourceHandle!,
      target: e.target,
      targetHandle: e.targetHandle!,
    });
    expect(new Set(twice.edges.map((x) => x.id)).size).toBe(twice.edges.length);
    const payload = copyNodes(g, new Set([g.nodes[0]!.id, g.nodes[1]!.id]))!;
    const pasted = withPasted(sel, payload, { x: 900, y: 900 });
    expect(pasted.ids).toHaveLength(2);
    expect(pasted.graph.nodes.filter((n) => n.selected).map((n) => n.id)).toEqual(pasted.ids);
    expect(pasted.graph.nodes).toHaveLength(g.nodes.length + 2);
  });
});
