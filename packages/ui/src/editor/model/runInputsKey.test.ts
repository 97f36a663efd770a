import { describe, expect, it } from 'vitest';
import type { WorkflowDocument } from '@ptp/graph-core';
import { runInputsKey } from './runInputsKey';

const doc = (): WorkflowDocument =>
  ({
    schemaVersion: 3,
    metadata: { name: 'w' },
    nodes: [
      {
        id: 'a',
        type: 'ptp.prompt',
        typeVersion: 1,
        params: { text: 'a red circle' },
        ui: { position: { x: 0, y: 0 } },
      },
      { id: 'b', type: 'ptp.textToImage', typeVersion: 1, params: { steps: 20 }, ui: { position: { x: 300, y: 0 } } },
    ],
    edges: [{ id: 'e1', from: { node: 'a', output: 'prompt' }, to: { node: 'b', input: 'prompt' } }],
  }) as unknown as WorkflowDocument;

describe('runInputsKey', () => {
  it('ignores positions and the name; changes with a param, a link or a node', () => {
    const base = runInputsKey(doc());
    const moved = doc();
    moved.nodes[0]!.ui = { position: { x: 50, y: 80 } };
    moved.metadata.name = 'renamed';
    expect(runInputsKey(moved)).toBe(base);
    const edited = doc();
    edited.nodes[0]!.params = { text: 'a blue circle' };
    expect(runInputsKey(edited)).not.toBe(base);
    const unlinked = doc();
    unlinked.edges = [];
    expect(runInputsKey(unlinked)).not.toBe(base);
  });
});
