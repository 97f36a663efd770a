import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildCatalogue } from '../catalogue.js';
import { defineNode } from '../NodeDefinition.js';
import { NodeRegistry } from '../NodeRegistry.js';
import { doc } from '../testing/documentBuilder.js';
import { validateGraph } from '../validateGraph.js';
import { BATCH_LIMITS, batchRowsFromCsv, planBatch, seedParamsOf, validateBatch, type BatchRow } from './planBatch.js';

// A sampler-like node: a seed (widget "seed", as the studio's samplers), a prompt, a number, a flag.
const sample = defineNode({
  type: 'test.sample',
  version: 1,
  title: 'Sample',
  category: 'test',
  description: 'seeded',
  inputs: {},
  outputs: { value: { type: 'NUMBER' } },
  params: z.object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .default(0)
      .meta({ widget: 'seed' }),
    text: z.string().max(100).default(''),
    steps: z.number().int().min(1).max(50).default(20),
    flag: z.boolean().default(false),
    words: z.array(z.string()).default([]),
  }),
  output: true,
  run: (_i, p) => ({ value: p.seed }),
});
const registry = new NodeRegistry([sample]);
const entries = new Map(buildCatalogue(registry).nodes.map((e) => [e.type, e]));
const entryOf = (t: string) => entries.get(t);
const graph = () => doc([{ id: 'a', type: 'test.sample', params: { seed: 7, text: 'a red circle' } }]);
const paramsOf = (runs: { document: { nodes: { params: Record<string, unknown> }[] } }[]) =>
  runs.map((r) => r.document.nodes[0]!.params);

describe('planBatch', () => {
  it('finds seed params by their widget', () => {
    expect(seedParamsOf(entryOf('test.sample'))).toEqual(['seed']);
    expect(seedParamsOf(undefined)).toEqual([]);
  });

  it('steps seeds per run (increment), draws them (random) or keeps them (fixed); the graph is untouched', () => {
    const g = graph();
    const inc = planBatch(g, { count: 3, seeds: 'increment', rows: [] }, entryOf);
    expect(inc.ok && paramsOf(inc.value).map((p) => p.seed)).toEqual([7, 8, 9]);
    expect(inc.ok && inc.value.map((r) => r.document.metadata.name)).toEqual([
      'test (seed 7)',
      'test (seed 8)',
      'test (seed 9)',
    ]);
    expect(g.nodes[0]!.params.seed).toBe(7);
    const draws = [0.25, 0.5];
    const rnd = planBatch(g, { count: 2, seeds: 'random', rows: [] }, entryOf, () => draws.shift()!);
    expect(rnd.ok && paramsOf(rnd.value).map((p) => p.seed)).toEqual([2 ** 30, 2 ** 31]);
    const fixed = planBatch(g, { count: 2, seeds: 'fixed', rows: [] }, entryOf);
    expect(fixed.ok && paramsOf(fixed.value).map((p) => p.seed)).toEqual([7, 7]);
    expect(fixed.ok && fixed.value.map((r) => r.label)).toEqual(['run 1', 'run 2']);
    // Every planned document is a valid graph.
    if (inc.ok) for (const r of inc.value) expect(validateGraph(r.document, registry).errors).toEqual([]);
  });

  it('runs once per listed seed, in place of the count, and refuses a list with a count', () => {
    const r = planBatch(graph(), { count: 1, seeds: [3, 11, 3], rows: [{ 'a.steps': 4 }, {}] }, entryOf);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(paramsOf(r.value).map((p) => [p.seed, p.steps])).toEqual([
      [3, 4],
      [11, 4],
      [3, 4],
      [3, undefined],
      [11, undefined],
      [3, undefined],
    ]);
    expect(r.value.map((x) => x.label)).toEqual([
      'row 1 · seed 3',
      'row 1 · seed 11',
      'row 1 · seed 3',
      'row 2 · seed 3',
      'row 2 · seed 11',
      'row 2 · seed 3',
    ]);
    const both = planBatch(graph(), { count: 2, seeds: [1, 2], rows: [] }, entryOf);
    expect(!both.ok && both.errors[0]).toMatchObject({ code: 'INVALID_PARAM', param: 'count' });
  });

  it("sets each row's params, rows outer and runs inner", () => {
    const rows: BatchRow[] = [{ 'a.text': 'a blue circle' }, { 'a.text': 'a green square', 'a.steps': 5 }];
    const r = planBatch(graph(), { count: 2, seeds: 'increment', rows }, entryOf);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(paramsOf(r.value)).toEqual([
      { seed: 7, text: 'a blue circle' },
      { seed: 8, text: 'a blue circle' },
      { seed: 7, text: 'a green square', steps: 5 },
      { seed: 8, text: 'a green square', steps: 5 },
    ]);
    expect(r.value.map((x) => x.row)).toEqual([0, 0, 1, 1]);
    expect(r.value.map((x) => x.label)).toEqual([
      'row 1 · seed 7',
      'row 1 · seed 8',
      'row 2 · seed 7',
      'row 2 · seed 8',
    ]);
  });

  it('names the row, node and param of every bad key or value, and bounds the runs', () => {
    const r = planBatch(
      graph(),
      {
        count: 1,
        seeds: 'fixed',
        rows: [
          { 'b.text': 'x', 'a.nope': 1 },
          { 'a.steps': 'many', notakey: 1 },
        ],
      },
      entryOf,
    );
    expect(!r.ok && r.errors.map((e) => [e.code, e.nodeId, e.param, e.message])).toEqual([
      ['UNKNOWN_NODE', undefined, undefined, 'row 1, "b.text": no node "b" in the graph'],
      ['UNKNOWN_PARAM', 'a', 'nope', 'row 1, node "a" has no param "nope"'],
      ['INVALID_PARAM', 'a', 'steps', 'row 2, a.steps takes a number, got "many"'],
      ['UNKNOWN_NODE', undefined, undefined, 'row 2, "notakey" is not node.param (a node id, a dot, a param name)'],
    ]);
    const big = planBatch(graph(), { count: BATCH_LIMITS.runs, seeds: 'fixed', rows: [{}, {}] }, entryOf);
    expect(!big.ok && big.errors[0]).toMatchObject({ code: 'LIMIT_EXCEEDED', param: 'count' });
  });
});

describe('validateBatch', () => {
  it("tells each run's problem once per row, with the run it was found in", () => {
    const rows: BatchRow[] = [{ 'a.steps': 99 }, { 'a.steps': 5 }, { 'a.steps': 0 }];
    const r = planBatch(graph(), { count: 2, seeds: 'increment', rows }, entryOf);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const problems = validateBatch(r.value, registry);
    expect(problems.map((p) => [p.run, p.code, p.nodeId, p.param])).toEqual([
      ['row 1 · seed 7', 'INVALID_PARAM', 'a', 'steps'],
      ['row 3 · seed 7', 'INVALID_PARAM', 'a', 'steps'],
    ]);
    expect(validateBatch(r.value, registry, 1)).toHaveLength(1);
  });
});

describe('batchRowsFromCsv', () => {
  it("reads node.param columns, typed by the catalogue; empty cells keep the graph's value", () => {
    const csv = 'a.text,a.steps,a.flag\n"a blue, bright circle",5,true\n,12,\n\n';
    const r = batchRowsFromCsv(csv, graph(), entryOf);
    expect(r.ok && r.value).toEqual([
      { 'a.text': 'a blue, bright circle', 'a.steps': 5, 'a.flag': true },
      { 'a.steps': 12 },
    ]);
    expect(batchRowsFromCsv('', graph(), entryOf)).toMatchObject({ ok: true, value: [] });
    // A number param given text stays text, so planBatch names it.
    const bad = batchRowsFromCsv('a.steps\nmany\n', graph(), entryOf);
    expect(bad.ok && planBatch(graph(), { count: 1, seeds: 'fixed', rows: bad.value }, entryOf).ok).toBe(false);
  });

  it('reads a list param (Local blend words) as words, or as a JSON list; a text for a list is named', () => {
    const csv = 'a.text,a.words\na red fox,fox\n"a red cat, small","red cat"\nx,"[""big cat"",""dog""]"\n';
    const r = batchRowsFromCsv(csv, graph(), entryOf);
    expect(r.ok && r.value.map((row) => row['a.words'])).toEqual([['fox'], ['red', 'cat'], ['big cat', 'dog']]);
    const runs = r.ok ? planBatch(graph(), { count: 1, seeds: 'fixed', rows: r.value }, entryOf) : undefined;
    expect(runs?.ok && paramsOf(runs.value).map((p) => p.words)).toEqual([['fox'], ['red', 'cat'], ['big cat', 'dog']]);
    const text = planBatch(graph(), { count: 1, seeds: 'fixed', rows: [{ 'a.words': 'fox' }] }, entryOf);
    expect(!text.ok && text.errors[0]).toMatchObject({
      code: 'INVALID_PARAM',
      param: 'words',
      message: 'row 1, a.words takes a list, got "fox" (in CSV rows: words separated by spaces, e.g. "red circle")',
    });
  });

  it('refuses a quote never closed and a row with more cells than columns, naming where', () => {
    const open = batchRowsFromCsv('a.text,a.steps\n"unterminated,1\n', graph(), entryOf);
    expect(open).toMatchObject({ ok: false, errors: [{ code: 'INVALID_INPUT' }] });
    expect(!open.ok && open.errors[0]!.message).toContain('the quote opened on line 2 is never closed');
    const wide = batchRowsFromCsv('a.text\nred,5\n', graph(), entryOf);
    expect(!wide.ok && wide.errors[0]!.message).toContain('row 1 has 2 cells but the header names 1 columns');
    // A quoted line break is one cell, not a second row.
    const multi = batchRowsFromCsv('a.text,a.steps\n"two\nlines",3\n', graph(), entryOf);
    expect(multi.ok && multi.value).toEqual([{ 'a.text': 'two\nlines', 'a.steps': 3 }]);
  });

  it('bounds columns and rows before building them', () => {
    const wide = `${Array.from({ length: BATCH_LIMITS.keys + 1 }, (_, i) => `a.k${i}`).join(',')}\n`;
    expect(batchRowsFromCsv(wide, graph(), entryOf)).toMatchObject({ ok: false, errors: [{ code: 'LIMIT_EXCEEDED' }] });
    const long = `a.text\n${'x\n'.repeat(BATCH_LIMITS.rows + 1)}`;
    expect(batchRowsFromCsv(long, graph(), entryOf)).toMatchObject({ ok: false, errors: [{ code: 'LIMIT_EXCEEDED' }] });
  });
});
