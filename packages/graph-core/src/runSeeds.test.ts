import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineNode } from './NodeDefinition.js';
import { NodeRegistry } from './NodeRegistry.js';
import { runSeeds } from './runSeeds.js';
import { createTestRegistry, doc } from './testing/index.js';
import { validateGraph } from './validateGraph.js';

const sampler = defineNode({
  type: 'test.sampler',
  version: 1,
  title: 'Sampler',
  category: 'test',
  description: 'samples with a seed',
  inputs: {},
  outputs: { value: { type: 'NUMBER' } },
  params: z.object({ seed: z.number().int().min(0).default(0).meta({ widget: 'seed' }), steps: z.number().default(5) }),
  run: () => ({ value: 1 }),
});
const registry = new NodeRegistry([...createTestRegistry().definitions, sampler]);

describe('runSeeds', () => {
  it('lists the seed params of the given nodes, defaults applied, distinct and in graph order', () => {
    const graph = doc(
      [
        { id: 'a', type: 'test.sampler', params: { seed: 42, steps: 7 } },
        { id: 'b', type: 'test.sampler', params: { seed: 42 } },
        { id: 'c', type: 'test.sampler' },
        { id: 'n', type: 'test.number', params: { value: 9 } },
        { id: 'o', type: 'test.output' },
      ],
      ['a.value -> o.value'],
    );
    const report = validateGraph(graph, registry);
    expect(runSeeds(report, registry, ['a', 'b', 'c', 'n', 'o'])).toEqual([42, 0]);
    // Only the nodes the run needs count.
    expect(runSeeds(report, registry, ['a', 'o'])).toEqual([42]);
    expect(runSeeds(report, registry, ['n', 'o', 'missing'])).toEqual([]);
  });
});
