import { describe, expect, it } from 'vitest';
import type { WorkflowDocument } from '@ptp/graph-core';
import { nodeInputKeys } from './nodeInputKeys';
import { canvasNodeIds } from './canvasNodeIds';

const doc = (over: Partial<WorkflowDocument> = {}): WorkflowDocument =>
  ({
    schemaVersion: 1,
    metadata: { name: 'w' },
    nodes: [
      { id: 'a', type: 't.num', params: { value: 1 } },
      { id: 'b', type: 't.num', params: { value: 2 } },
      { id: 'sum', type: 't.add', params: {} },
      { id: 'show', type: 't.show', params: {} },
      { id: 'other', type: 't.show', params: {} },
    ],
    edges: [
      { from: { node: 'a', output: 'out' }, to: { node: 'sum', input: 'x' } },
      { from: { node: 'b', output: 'out' }, to: { node: 'sum', input: 'y' } },
      { from: { node: 'sum', output: 'out' }, to: { node: 'show', input: 'value' } },
      { from: { node: 'b', output: 'out' }, to: { node: 'other', input: 'value' } },
    ],
    ...over,
  }) as WorkflowDocument;

const keysOf = (d: WorkflowDocument) => {
  const canvas = new Set(d.nodes.map((n) => n.id));
  return nodeInputKeys(d, canvas, canvasNodeIds(canvas));
};

describe('nodeInputKeys', () => {
  it('changes the keys of an edited node and of the nodes it feeds, and no others', () => {
    const before = keysOf(doc());
    const edited = doc();
    edited.nodes[0]!.params = { value: 5 };
    const after = keysOf(edited);
    for (const id of ['a', 'sum', 'show']) expect(after.get(id)).not.toBe(before.get(id));
    for (const id of ['b', 'other']) expect(after.get(id)).toBe(before.get(id));
  });

  it('ignores node positions, param key order and the order links were saved in', () => {
    const before = keysOf(doc());
    const d = doc();
    d.nodes[0]!.params = { value: 1 };
    (d.nodes[0] as { position?: unknown }).position = { x: 400, y: 9 };
    d.edges.reverse();
    expect(keysOf(d)).toEqual(before);
  });

  it('keys a link moved to another input differently', () => {
    const d = doc();
    d.edges[0]!.to.input = 'y';
    d.edges[1]!.to.input = 'x';
    expect(keysOf(d).get('sum')).not.toBe(keysOf(doc()).get('sum'));
  });

  it('survives a cycle and a link from a missing node', () => {
    const d = doc({
      edges: [
        { from: { node: 'sum', output: 'out' }, to: { node: 'show', input: 'value' } },
        { from: { node: 'show', output: 'out' }, to: { node: 'sum', input: 'x' } },
        { from: { node: 'gone', output: 'out' }, to: { node: 'other', input: 'value' } },
      ],
    });
    const keys = keysOf(d);
    expect(keys.size).toBe(5);
    expect(keys.get('sum')).toMatch(/\S/);
  });

  it('keys a block node by its inner nodes: editing the definition changes it', () => {
    const withBlock = (value: number): WorkflowDocument =>
      ({
        schemaVersion: 1,
        metadata: { name: 'w' },
        nodes: [
          { id: 'blk', type: 'subgraph:inc', params: {} },
          { id: 'show', type: 't.show', params: {} },
        ],
        edges: [{ from: { node: 'blk', output: 'out' }, to: { node: 'show', input: 'value' } }],
        subgraphs: [
          {
            id: 'inc',
            name: 'inc',
            nodes: [{ id: 'n', type: 't.num', params: { value } }],
            edges: [],
            inputs: [],
            outputs: [{ name: 'out', from: { node: 'n', output: 'out' } }],
            params: [],
          },
        ],
      }) as unknown as WorkflowDocument;
    const one = keysOf(withBlock(1));
    const two = keysOf(withBlock(2));
    expect([...one.keys()].sort()).toEqual(['blk', 'show']);
    expect(two.get('blk')).not.toBe(one.get('blk'));
    expect(two.get('show')).not.toBe(one.get('show'));
  });
});
