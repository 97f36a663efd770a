import { loadDocument, type WorkflowDocument } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { documentToGraph, graphToDocument } from './editorGraph';
import { TEMPLATES } from './templates';

describe('documentToGraph / graphToDocument', () => {
  it('round-trips every bundled template exactly (positions in node.ui, edges by socket name)', () => {
    expect(TEMPLATES.length).toBeGreaterThanOrEqual(8);
    for (const t of TEMPLATES) {
      const back = graphToDocument(documentToGraph(t.document));
      // Edge ids are written even when the example omitted them; everything else is identical.
      const strip = (d: WorkflowDocument) => ({ ...d, edges: d.edges.map(({ id: _id, ...e }) => e) });
      expect(strip(back), t.id).toEqual(strip(t.document));
      const again = loadDocument(JSON.parse(JSON.stringify(back)));
      expect(again.ok).toBe(true);
    }
  });

  it('maps node.ui to React Flow positions and handles to socket names', () => {
    const g = documentToGraph(TEMPLATES.find((t) => t.id === 'word-swap')!.document);
    const capture = g.nodes.find((n) => n.id === 'capture')!;
    expect(capture.position).toEqual({ x: 0, y: 409 });
    expect(capture.data.nodeType).toBe('ptp.captureSource');
    const edge = g.edges.find((e) => e.target === 'capture' && e.targetHandle === 'prompt')!;
    expect(edge.source).toBe('source');
    expect(edge.sourceHandle).toBe('prompt');
  });

  it('lays out nodes saved without positions by depth and gives edges unique ids', () => {
    const doc: WorkflowDocument = {
      schemaVersion: 3,
      metadata: { name: 'x', description: '', tags: [] },
      nodes: [
        { id: 'a', type: 'ptp.prompt', typeVersion: 1, params: {} },
        { id: 'b', type: 'ptp.showValue', typeVersion: 1, params: {} },
        { id: 'c', type: 'ptp.showValue', typeVersion: 1, params: {} },
      ],
      edges: [
        { from: { node: 'a', output: 'prompt' }, to: { node: 'b', input: 'value' } },
        { from: { node: 'a', output: 'prompt' }, to: { node: 'b', input: 'value' } },
        { from: { node: 'a', output: 'prompt' }, to: { node: 'c', input: 'value' } },
      ],
    };
    const g = documentToGraph(doc);
    expect(g.nodes.map((n) => n.position)).toEqual([
      { x: 0, y: 0 },
      { x: 320, y: 0 },
      { x: 320, y: 180 },
    ]);
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(3);
  });

  it('keeps unknown node types, labels and the viewport', () => {
    const doc: WorkflowDocument = {
      schemaVersion: 3,
      id: 'doc1',
      metadata: { name: 'x', description: '', tags: [] },
      nodes: [
        {
          id: 'z',
          type: 'plugin.mystery',
          typeVersion: 3,
          params: { q: [1, 2] },
          ui: { position: { x: 5, y: 6 }, label: 'Mystery', collapsed: true },
        },
      ],
      edges: [],
      ui: { viewport: { x: 1, y: 2, zoom: 0.5 } },
    };
    expect(graphToDocument(documentToGraph(doc))).toEqual(doc);
  });
});
