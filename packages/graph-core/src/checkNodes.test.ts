import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCatalogue } from './catalogue.js';
import { Engine } from './Engine.js';
import { defineNode } from './NodeDefinition.js';
import { NodeRegistry } from './NodeRegistry.js';
import { doc } from './testing/documentBuilder.js';
import { validateGraph } from './validateGraph.js';

let heavyRuns = 0;
// A static source of words, a node that checks the words it gets against its param, and a heavy
// (non-static) node whose value validation must never compute.
const words = defineNode({
  type: 'test.words',
  version: 1,
  title: 'Words',
  category: 'test',
  description: '',
  inputs: {},
  outputs: { words: { type: 'STRING' } },
  params: z.object({ text: z.string().default('a red circle') }),
  check: (_i, p) => (p.text.trim() ? [] : [{ message: 'empty text', param: 'text' }]),
  static: true,
  run: (_i, p) => ({ words: p.text }),
});
const heavy = defineNode({
  type: 'test.heavy',
  version: 1,
  title: 'Heavy',
  category: 'test',
  description: '',
  inputs: {},
  outputs: { words: { type: 'STRING' } },
  params: z.object({ steps: z.number().int().min(1).max(500).default(20) }),
  run: async () => {
    heavyRuns++;
    return { words: 'late words' };
  },
});
const pick = defineNode({
  type: 'test.pick',
  version: 1,
  title: 'Pick',
  category: 'test',
  description: '',
  output: true,
  inputs: { words: { type: 'STRING' } },
  outputs: { word: { type: 'STRING' } },
  params: z.object({ word: z.string().default('') }),
  check: ({ words: w }, p) =>
    p.word === ''
      ? [{ message: 'choose a word', param: 'word' }]
      : w !== undefined && !w.split(' ').includes(p.word)
        ? [{ message: `"${p.word}" is not in "${w}"`, param: 'word' }]
        : [],
  run: ({ words: w }, p) => ({ word: `${p.word} of ${w}` }),
});
const registry = new NodeRegistry([words, heavy, pick]);
const graph = (text: string, word: string, from = 'src') =>
  doc(
    [
      { id: 'src', type: 'test.words', params: { text } },
      { id: 'late', type: 'test.heavy' },
      { id: 'out', type: 'test.pick', params: { word } },
    ],
    [`${from}.words -> out.words`],
  );
const errorsOf = (d: ReturnType<typeof graph>, limits?: { maxSteps: number; maxImageSize: number; maxBatch: number }) =>
  validateGraph(d, registry, limits ? { limits } : {}).errors.map((e) => [e.nodeId, e.param ?? e.input, e.code]);

describe('node checks: one rule for validation, the editor and the engine', () => {
  it('validation evaluates static nodes so checks downstream see their values, on the right node and param', () => {
    expect(errorsOf(graph('a red circle', 'circle'))).toEqual([]);
    expect(errorsOf(graph('a red circle', 'square'))).toEqual([['out', 'word', 'INVALID_PARAM']]);
    expect(errorsOf(graph('a red circle', ''))).toEqual([['out', 'word', 'INVALID_PARAM']]);
    // A failing static node stays unknown downstream: one problem, on the node that has it.
    expect(errorsOf(graph('  ', 'square'))).toEqual([['src', 'text', 'INVALID_PARAM']]);
  });

  it('never runs heavy nodes to validate: their values stay unknown and checks only judge params', () => {
    heavyRuns = 0;
    expect(errorsOf(graph('x', 'square', 'late'))).toEqual([]);
    expect(errorsOf(graph('x', '', 'late'))).toEqual([['out', 'word', 'INVALID_PARAM']]);
    expect(heavyRuns).toBe(0);
  });

  it('the engine refuses before running what validation can see, and checks again with every input', async () => {
    const engine = new Engine(registry);
    const refused = await engine.run(graph('a red circle', 'square'));
    expect(refused.status).toBe('error');
    expect(refused.executed).toEqual([]);
    expect(refused.errors[0]).toMatchObject({ nodeId: 'out', param: 'word', code: 'INVALID_PARAM' });

    const late = await new Engine(registry).run(graph('x', 'circle', 'late'));
    expect(late.status).toBe('error');
    expect(late.errors[0]).toMatchObject({ nodeId: 'out', param: 'word', message: '"circle" is not in "late words"' });
    expect((await new Engine(registry).run(graph('x', 'words', 'late'))).status).toBe('success');
  });

  it("holds steps, sizes and batches to a runner's limits, and the catalogue carries them", () => {
    const d = doc([{ id: 'late', type: 'test.heavy', params: { steps: 300 } }]);
    expect(errorsOf(d as ReturnType<typeof graph>)).toEqual([[undefined, undefined, 'NO_OUTPUT']]);
    expect(errorsOf(d as ReturnType<typeof graph>, { maxSteps: 200, maxImageSize: 1024, maxBatch: 8 })).toContainEqual([
      'late',
      'steps',
      'LIMIT_EXCEEDED',
    ]);
    const catalogue = buildCatalogue(registry, { limits: { maxSteps: 200, maxImageSize: 1024, maxBatch: 8 } });
    expect(catalogue.limits).toEqual({ maxSteps: 200, maxImageSize: 1024, maxBatch: 8 });
    const steps = (catalogue.nodes.find((n) => n.type === 'test.heavy')!.params.properties as Record<string, object>)
      .steps;
    expect(steps).toMatchObject({ maximum: 200, minimum: 1 });
    expect(buildCatalogue(registry).limits).toBeUndefined();
  });
});

describe('limits against raw values', () => {
  it("names the runner's limit once, even when the value is also over the schema's own bound", () => {
    const d = doc([{ id: 'late', type: 'test.heavy', params: { steps: 100_000 } }]);
    const errors = validateGraph(d, registry, { limits: { maxSteps: 200, maxImageSize: 1024, maxBatch: 8 } }).errors;
    const steps = errors.filter((e) => e.param === 'steps');
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      message: "steps = 100000 is over this server's limit of 200",
    });
    // Without limits the schema's bound speaks.
    expect(validateGraph(d, registry).errors.find((e) => e.param === 'steps')).toMatchObject({ code: 'INVALID_PARAM' });
  });
});
