import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Engine } from './Engine.js';
import { defineNode, type RunResources } from './NodeDefinition.js';
import { NodeRegistry } from './NodeRegistry.js';
import { doc } from './testing/index.js';

declare module './NodeDefinition.js' {
  interface RunResources {
    greeting?: string;
  }
}

// Not cacheable, so every run reads the resources it was given.
const greet = defineNode({
  type: 'test.greet',
  version: 1,
  title: 'Greet',
  category: 'test',
  description: 'returns the greeting resource',
  output: true,
  cacheable: false,
  inputs: {},
  outputs: { text: { type: 'STRING' } },
  params: z.object({}),
  run: (_i, _p, ctx) => ({ text: ctx.resources.greeting ?? '(none)' }),
});

describe('RunResources', () => {
  const registry = new NodeRegistry([greet]);
  const graph = doc([{ id: 'g', type: 'test.greet' }]);

  it('reach node runs from the engine, and run() options override them', async () => {
    const defaults: RunResources = { greeting: 'engine' };
    const engine = new Engine(registry, { resources: defaults });
    expect((await engine.run(graph)).outputs.get('g')).toEqual({ text: 'engine' });
    expect((await engine.run(graph, { resources: { greeting: 'run' } })).outputs.get('g')).toEqual({ text: 'run' });
  });

  it('are an empty object when the runner gives none', async () => {
    expect((await new Engine(registry).run(graph)).outputs.get('g')).toEqual({ text: '(none)' });
  });
});
