import { z } from 'zod';
import { NodeRunError } from '../errors.js';
import { defineNode, type AnyNodeDefinition } from '../NodeDefinition.js';
import { NodeRegistry } from '../NodeRegistry.js';

type RunCounts = Map<string, number>;

const countRun = (runs: RunCounts, id: string) => runs.set(id, (runs.get(id) ?? 0) + 1);

const numberNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.number',
    version: 1,
    title: 'Number',
    category: 'test',
    description: 'a constant',
    inputs: {},
    outputs: { value: { type: 'NUMBER' } },
    params: z.object({ value: z.number().min(-1e9).max(1e9).default(0) }),
    run: (_i, p, ctx) => {
      countRun(runs, ctx.nodeId);
      return { value: p.value };
    },
  });

const addNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.add',
    version: 2,
    title: 'Add',
    category: 'test',
    description: 'a + b + bias',
    inputs: { a: { type: 'NUMBER' }, b: { type: 'NUMBER', optional: true } },
    outputs: { sum: { type: 'NUMBER' } },
    params: z.object({ bias: z.number().default(0) }),
    // v1 called the param `offset`.
    migrations: { 1: ({ offset, ...rest }) => ({ ...rest, bias: offset ?? 0 }) },
    run: (i, p, ctx) => {
      countRun(runs, ctx.nodeId);
      return { sum: i.a + (i.b ?? 0) + p.bias };
    },
  });

const sumNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.sum',
    version: 1,
    title: 'Sum',
    category: 'test',
    description: 'sum of all links',
    inputs: { values: { type: 'NUMBER', multi: true } },
    outputs: { total: { type: 'NUMBER' } },
    params: z.object({}),
    run: (i, _p, ctx) => {
      countRun(runs, ctx.nodeId);
      return { total: i.values.reduce((a, b) => a + b, 0) };
    },
  });

const textNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.text',
    version: 1,
    title: 'Text',
    category: 'test',
    description: 'a string',
    inputs: {},
    outputs: { text: { type: 'STRING' } },
    params: z.object({ text: z.string().max(1000).default(''), mode: z.enum(['plain', 'upper']).default('plain') }),
    run: (_i, p, ctx) => {
      countRun(runs, ctx.nodeId);
      return { text: p.mode === 'upper' ? p.text.toUpperCase() : p.text };
    },
  });

const outputNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.output',
    version: 1,
    title: 'Output',
    category: 'test',
    description: 'collects a value',
    output: true,
    inputs: { value: { type: 'ANY' } },
    outputs: { value: { type: 'ANY' } },
    params: z.object({ label: z.string().default('out') }),
    run: (i, _p, ctx) => {
      countRun(runs, ctx.nodeId);
      return { value: i.value };
    },
  });

const slowNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.slow',
    version: 1,
    title: 'Slow',
    category: 'test',
    description: 'steps with progress, honours the signal',
    inputs: { value: { type: 'NUMBER' } },
    outputs: { value: { type: 'NUMBER' } },
    params: z.object({
      steps: z.number().int().min(1).max(1000).default(5),
      stepMs: z.number().min(0).max(10_000).default(5),
    }),
    run: async (i, p, ctx) => {
      countRun(runs, ctx.nodeId);
      for (let s = 0; s < p.steps; s++) {
        if (ctx.signal.aborted) throw new Error('aborted');
        await new Promise<void>((r) => setTimeout(r, p.stepMs));
        ctx.progress(s + 1, p.steps);
      }
      return { value: i.value };
    },
  });

const hangNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.hang',
    version: 1,
    title: 'Hang',
    category: 'test',
    description: 'never finishes and ignores the signal',
    inputs: { value: { type: 'NUMBER' } },
    outputs: { value: { type: 'NUMBER' } },
    params: z.object({}),
    run: (_i, _p, ctx) => {
      countRun(runs, ctx.nodeId);
      return new Promise<never>(() => {});
    },
  });

const failNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.fail',
    version: 1,
    title: 'Fail',
    category: 'test',
    description: 'rejects negative input',
    inputs: { value: { type: 'NUMBER' } },
    outputs: { value: { type: 'NUMBER' } },
    params: z.object({}),
    run: (i, _p, ctx) => {
      countRun(runs, ctx.nodeId);
      if (i.value < 0) throw new NodeRunError('value must be >= 0', { input: 'value' });
      return { value: i.value };
    },
  });

const clockNode = (runs: RunCounts) =>
  defineNode({
    type: 'test.clock',
    version: 1,
    title: 'Clock',
    category: 'test',
    description: 'never cached',
    cacheable: false,
    inputs: {},
    outputs: { value: { type: 'NUMBER' } },
    params: z.object({}),
    run: (_i, _p, ctx) => {
      countRun(runs, ctx.nodeId);
      return { value: runs.get(ctx.nodeId)! };
    },
  });

/**
 * Small arithmetic node types for engine tests and benchmarks: they exercise ordering, caching,
 * multi inputs, progress and cancellation without needing a model. `runs` counts executions per
 * node id so tests can assert exactly what re-ran.
 */
export function createTestRegistry() {
  const runs: RunCounts = new Map();
  const definitions: AnyNodeDefinition[] = [
    numberNode(runs),
    addNode(runs),
    sumNode(runs),
    textNode(runs),
    outputNode(runs),
    slowNode(runs),
    hangNode(runs),
    failNode(runs),
    clockNode(runs),
  ];
  return { registry: new NodeRegistry(definitions), runs, definitions };
}
