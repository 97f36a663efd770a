import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from './NodeDefinition.js';
import { NodeRegistry } from './NodeRegistry.js';
import { createTestRegistry, doc } from './testing/index.js';
import { packParamsOf } from './packParams.js';
import { validateGraph } from './validateGraph.js';

const loader = defineNode({
  type: 'test.loader',
  version: 1,
  title: 'Loader',
  category: 'test',
  description: 'names a model pack',
  inputs: {},
  outputs: { value: { type: 'NUMBER' } },
  params: z.object({
    pack: z.string().default('small').meta({ widget: 'pack' }),
    upload: z.string().default('').meta({ widget: 'upload' }),
    label: z.string().default(''),
  }),
  run: () => ({ value: 1 }),
});
const registry = new NodeRegistry([...createTestRegistry().definitions, loader]);
const graph = (params?: Record<string, unknown>) =>
  doc(
    [
      { id: 'l', type: 'test.loader', ...(params ? { params } : {}) },
      { id: 'o', type: 'test.output' },
    ],
    ['l.value -> o.value'],
  );

describe('pack params', () => {
  it('finds the params declared with the pack widget, and only those', () => {
    expect(packParamsOf(loader)).toEqual(['pack']);
    expect(packParamsOf(registry.get('test.number')!)).toEqual([]);
  });

  it('reports a pack no runner has on its node and param, defaults included, and only when packs are given', () => {
    expect(validateGraph(graph({ pack: 'smal' }), registry).errors).toEqual([]);
    expect(validateGraph(graph({ pack: 'small' }), registry, { packs: ['small', 'large'] }).errors).toEqual([]);
    const typo = validateGraph(graph({ pack: 'smal' }), registry, { packs: ['small', 'large'] });
    expect(typo.errors).toEqual([
      expect.objectContaining({
        code: 'UNKNOWN_PACK',
        nodeId: 'l',
        param: 'pack',
        message: 'there is no model pack “smal” here; the packs are: small, large',
      }),
    ]);
    // The default counts: a fresh node whose default pack the runner lacks is marked too.
    expect(validateGraph(graph(), registry, { packs: ['large'] }).errors.map((e) => e.param)).toEqual(['pack']);
    expect(validateGraph(graph(), registry, { packs: [] }).errors[0]?.message).toMatch(/the packs are: none$/);
  });

  it('reports an upload the runner lacks; an empty one is left to the node', () => {
    const has = (id: string) => id === 'abc';
    expect(validateGraph(graph({ upload: 'abc' }), registry, { uploads: has }).errors).toEqual([]);
    expect(validateGraph(graph(), registry, { uploads: has }).errors).toEqual([]);
    expect(validateGraph(graph({ upload: 'abd' }), registry, { uploads: has }).errors).toEqual([
      expect.objectContaining({ code: 'UPLOAD_NOT_FOUND', nodeId: 'l', param: 'upload' }),
    ]);
  });
});
