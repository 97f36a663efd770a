import { buildCatalogue, defineNode, describeNode, loadDocument, validateGraph } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { editorRegistry } from './catalogueRegistry';

/** A node type the page does not bundle (e.g. from a node package), as the server's catalogue lists it. */
const packageNode = defineNode({
  type: 'example.scale',
  version: 1,
  title: 'Scale',
  category: 'example',
  description: '',
  inputs: { value: { type: 'NUMBER' } },
  outputs: { value: { type: 'NUMBER' } },
  params: z.object({ factor: z.number().default(2) }),
  run: ({ value }, { factor }) => ({ value: value * factor }),
  origin: { package: 'example@1.0.0' },
});

describe('editorRegistry', () => {
  it('validates server-only types with their sockets, filling params the document leaves out', () => {
    const catalogue = buildCatalogue(createNodeRegistry([packageNode]));
    expect(catalogue.nodes.at(-1)).toEqual(describeNode(packageNode));
    const registry = editorRegistry(catalogue);
    expect(registry.get('example.scale')?.origin).toEqual({ package: 'example@1.0.0' });
    const loaded = loadDocument(
      {
        schemaVersion: 3,
        nodes: [
          { id: 'n', type: 'ptp.prompt', typeVersion: 1, params: { text: 'a cat' } },
          { id: 's', type: 'example.scale', typeVersion: 1, params: {} },
          { id: 'show', type: 'ptp.showValue', typeVersion: 1, params: {} },
        ],
        edges: [{ from: { node: 's', output: 'value' }, to: { node: 'show', input: 'value' } }],
      },
      { registry },
    );
    expect(loaded.ok && validateGraph(loaded.value, registry).errors).toEqual([
      expect.objectContaining({ code: 'MISSING_INPUT', nodeId: 's', input: 'value' }),
    ]);
  });
});
