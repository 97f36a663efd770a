import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCatalogue, CatalogueSchema } from './catalogue.js';
import { defineNode } from './NodeDefinition.js';
import { NodeRegistry } from './NodeRegistry.js';
import { canConnect, CORE_SOCKET_TYPES, type SocketType, type SocketTypeSpecs } from './sockets.js';
import { doc } from './testing/index.js';
import { validateGraph } from './validateGraph.js';

// Domain types a node package would declare (values typed by augmenting SocketValues; here cast).
const WIDGET = 'WIDGET' as SocketType;
const GADGET = 'GADGET' as SocketType;
const domainTypes = {
  WIDGET: { color: '#123456', widensTo: [GADGET] },
  GADGET: { color: '#654321' },
} as SocketTypeSpecs;

const node = (type: string, input: SocketType | undefined, output: SocketType) =>
  defineNode({
    type,
    version: 1,
    title: type,
    category: 'test',
    description: type,
    output: true,
    inputs: input ? { in: { type: input } } : {},
    outputs: { out: { type: output } },
    params: z.object({}),
    run: () => ({ out: undefined }),
  });
const makeWidget = node('test.widget', undefined, WIDGET);
const makeGadget = node('test.gadget', undefined, GADGET);
const useGadget = node('test.useGadget', GADGET, 'STRING');
const useWidget = node('test.useWidget', WIDGET, 'STRING');

describe('socket types', () => {
  it('connect equal types, anything into ANY, and the generic widening INT -> NUMBER', () => {
    expect(canConnect('STRING', 'STRING')).toBe(true);
    expect(canConnect('BOOLEAN', 'ANY')).toBe(true);
    expect(canConnect('INT', 'NUMBER')).toBe(true);
    expect(canConnect('NUMBER', 'INT')).toBe(false);
    expect(canConnect('WIDGET', 'GADGET')).toBe(false); // unknown to graph-core
  });

  it('a registry adds the package-declared types: rules, catalogue colours and order', () => {
    const registry = new NodeRegistry([makeWidget, makeGadget, useGadget, useWidget], domainTypes);
    expect(registry.canConnect('WIDGET', 'GADGET')).toBe(true);
    expect(registry.canConnect('GADGET', 'WIDGET')).toBe(false);
    expect(registry.canConnect('INT', 'NUMBER')).toBe(true);
    const { sockets } = CatalogueSchema.parse(buildCatalogue(registry));
    expect(sockets.types).toEqual(['WIDGET', 'GADGET', ...Object.keys(CORE_SOCKET_TYPES)]);
    expect(sockets.colors).toMatchObject({
      WIDGET: '#123456',
      GADGET: '#654321',
      STRING: CORE_SOCKET_TYPES.STRING.color,
    });
    expect(sockets.compatibility).toEqual({ WIDGET: ['GADGET'], INT: ['NUMBER'] });
  });

  it('validates edges with the registry rules', () => {
    const registry = new NodeRegistry([makeWidget, makeGadget, useGadget, useWidget], domainTypes);
    const graph = (from: string, to: string) =>
      doc(
        [
          { id: 'a', type: from },
          { id: 'b', type: to },
        ],
        ['a.out -> b.in'],
      );
    expect(validateGraph(graph('test.widget', 'test.useGadget'), registry).errors).toEqual([]);
    expect(validateGraph(graph('test.gadget', 'test.useWidget'), registry).errors.map((e) => e.code)).toEqual([
      'TYPE_MISMATCH',
    ]);
    // Without the package's rules only equal types connect.
    const bare = new NodeRegistry([makeWidget, makeGadget, useGadget, useWidget]);
    expect(validateGraph(graph('test.widget', 'test.useGadget'), bare).errors.map((e) => e.code)).toEqual([
      'TYPE_MISMATCH',
    ]);
  });

  it('refuses a package redeclaring a generic type', () => {
    expect(() => new NodeRegistry([], { INT: { color: '#000000' } })).toThrow(/INT is one of graph-core's/);
  });
});
