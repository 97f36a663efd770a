import { describe, expect, it } from 'vitest';
import { copyNodes, latestCopy, parseClipboard, pasteNodes } from './clipboard';
import { documentToGraph } from './editorGraph';
import { templateDocument } from './templates';

describe('copy / paste', () => {
  const g = documentToGraph(templateDocument('word-swap')!);

  it('copies the selected nodes with the links among them, not links leaving the selection', () => {
    const payload = copyNodes(g, new Set(['source', 'capture']))!;
    expect(payload.nodes.map((n) => n.id).sort()).toEqual(['capture', 'source']);
    expect(payload.edges).toHaveLength(1);
    expect(payload.edges[0]).toMatchObject({ from: { node: 'source' }, to: { node: 'capture', input: 'prompt' } });
    expect(copyNodes(g, new Set())).toBeUndefined();
  });

  it('pastes with fresh ids, remapped links, moved positions, as the new selection', () => {
    const payload = parseClipboard(JSON.stringify(copyNodes(g, new Set(['source', 'capture']))))!;
    const taken = new Set(g.nodes.map((n) => n.id));
    const out = pasteNodes(payload, taken, { at: { x: 1000, y: 1000 } });
    expect(out.nodes.every((n) => !taken.has(n.id) && n.selected)).toBe(true);
    const src = out.nodes.find((n) => n.data.nodeType === 'ptp.prompt')!;
    const cap = out.nodes.find((n) => n.data.nodeType === 'ptp.captureSource')!;
    expect(out.edges).toEqual([expect.objectContaining({ source: src.id, target: cap.id, targetHandle: 'prompt' })]);
    expect(Math.min(...out.nodes.map((n) => n.position.x))).toBe(1000);
    expect(src.data.params).toEqual(g.nodes.find((n) => n.id === 'source')!.data.params);
    expect(src.data.params).not.toBe(g.nodes.find((n) => n.id === 'source')!.data.params);
  });

  it('a bypassed node is pasted bypassed (as ComfyUI keeps a node mode)', () => {
    const bypassed = {
      ...g,
      nodes: g.nodes.map((n) => (n.id === 'blend1' ? { ...n, data: { ...n.data, mode: 'bypass' as const } } : n)),
    };
    const payload = parseClipboard(JSON.stringify(copyNodes(bypassed, new Set(['blend1', 'source']))))!;
    expect(payload.nodes.find((n) => n.id === 'blend1')!.mode).toBe('bypass');
    const out = pasteNodes(payload, new Set(g.nodes.map((n) => n.id)));
    expect(out.nodes.map((n) => [n.data.nodeType, n.data.mode ?? 'normal'])).toEqual(
      expect.arrayContaining([
        ['ptp.blend', 'bypass'],
        ['ptp.prompt', 'normal'],
      ]),
    );
  });

  it('with inputs (Ctrl+Shift+V), keeps the links that fed the copies from nodes that are there', () => {
    const payload = copyNodes(g, new Set(['capture']))!;
    expect(payload.incoming?.map((e) => `${e.from.node}>${e.to.input}`).sort()).toEqual([
      'model>model',
      'source>prompt',
    ]);
    const taken = new Set(g.nodes.map((n) => n.id));
    expect(pasteNodes(payload, taken).edges).toEqual([]);
    const linked = pasteNodes(payload, taken, { withInputs: true });
    const id = linked.nodes[0]!.id;
    expect(linked.edges.map((e) => `${e.source}.${e.sourceHandle}>${e.target}.${e.targetHandle}`).sort()).toEqual([
      `model.model>${id}.model`,
      `source.prompt>${id}.prompt`,
    ]);
    // Pasted where the source prompt is not: only the link whose source is there.
    const elsewhere = pasteNodes(payload, new Set(['model']), { withInputs: true });
    expect(elsewhere.edges.map((e) => e.source)).toEqual(['model']);
  });

  it('ignores clipboard text that is not a studio payload', () => {
    expect(parseClipboard('hello')).toBeUndefined();
    expect(parseClipboard('{"kind":"other"}')).toBeUndefined();
    expect(parseClipboard('{broken')).toBeUndefined();
  });
});

describe('latestCopy', () => {
  const g = documentToGraph(templateDocument('word-swap')!);
  it('pastes the later of the clipboard copy and the kept one, and ignores text that is not a copy', () => {
    const older = JSON.stringify({ ...copyNodes(g, new Set(['source']))!, copiedAt: 1 });
    const newer = JSON.stringify({ ...copyNodes(g, new Set(['capture']))!, copiedAt: 2 });
    expect(latestCopy(older, newer)?.nodes[0]!.id).toBe('capture');
    expect(latestCopy(newer, older)?.nodes[0]!.id).toBe('capture');
    expect(latestCopy('plain text', older)?.nodes[0]!.id).toBe('source');
    expect(latestCopy('', '')).toBeUndefined();
  });
});
