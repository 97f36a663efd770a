import { loadDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PairsFileSchema, parseGridArg, planSweep, readPairs, SweepSpecError } from './sweepSpec.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const registry = createNodeRegistry();
const load = () => {
  const r = loadDocument(readFileSync(path.join(repoRoot, 'examples/study-word-swap.json'), 'utf8'), { registry });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.value;
};

describe('sweep spec', () => {
  it('reads --grid values as JSON where they parse, keeping bracketed commas together', () => {
    expect(parseGridArg('schedule.cross=0.2,0.5,0.8')).toEqual({
      node: 'schedule',
      param: 'cross',
      values: [0.2, 0.5, 0.8],
    });
    expect(parseGridArg('schedule.cross=[0,0.5], 0.8')).toEqual({
      node: 'schedule',
      param: 'cross',
      values: [[0, 0.5], 0.8],
    });
    expect(parseGridArg('schedule.mode=replace,refine').values).toEqual(['replace', 'refine']);
    expect(parseGridArg('source.text="a, b",c').values).toEqual(['a, b', 'c']);
    expect(() => parseGridArg('cross=1')).toThrow(SweepSpecError);
  });

  it('multiplies axes by pairs with stable keys that change with the workflow', () => {
    const doc = load();
    const pairs = readPairs(
      PairsFileSchema.parse([
        { source: 'a red circle', target: 'a blue circle', tags: { kind: 'colour' } },
        { id: 'p2', set: { 'source.text': 'a red square', 'target.text': 'a red circle' } },
      ]),
    );
    expect(pairs[0]).toMatchObject({ id: 'a-red-circle--a-blue-circle', tags: { kind: 'colour' } });
    const axes = [parseGridArg('schedule.cross=0.2,0.8'), parseGridArg('schedule.self=0.2,0.6,1')];
    const cells = planSweep(doc, axes, pairs);
    expect(cells).toHaveLength(12);
    expect(new Set(cells.map((c) => c.key)).size).toBe(12);
    expect(cells[1]!.assignments.map((a) => [a.node, a.param, a.value])).toEqual([
      ['source', 'text', 'a red circle'],
      ['target', 'text', 'a blue circle'],
      ['schedule', 'cross', 0.2],
      ['schedule', 'self', 0.6],
    ]);
    expect(planSweep(load(), axes, pairs).map((c) => c.key)).toEqual(cells.map((c) => c.key));
    const changed = load();
    changed.nodes.find((n) => n.id === 'capture')!.params.steps = 3;
    expect(planSweep(changed, axes, pairs)[0]!.key).not.toBe(cells[0]!.key);
  });

  it('refuses unknown nodes, duplicate pairs and malformed pairs files', () => {
    const doc = load();
    expect(() => planSweep(doc, [parseGridArg('nope.cross=1')])).toThrow(/no node "nope"/);
    expect(() =>
      readPairs(
        PairsFileSchema.parse([
          { id: 'a', source: 'x', target: 'y' },
          { id: 'a', source: 'x', target: 'z' },
        ]),
      ),
    ).toThrow(/twice/);
    expect(PairsFileSchema.safeParse([{ source: 'only a source' }]).success).toBe(false);
    expect(PairsFileSchema.safeParse({ pairs: [{ set: { nodot: 1 } }] }).success).toBe(false);
    expect(PairsFileSchema.safeParse([{ source: 'a', target: 'b', extra: 1 }]).success).toBe(false);
  });
  it('multiplies cells by replicate seeds without grouping by them', () => {
    const doc = load();
    const cells = planSweep(doc, [parseGridArg('schedule.cross=0.2,0.8')], [], [parseGridArg('capture.seed=1,2,3')]);
    expect(cells).toHaveLength(6);
    expect(cells.every((c) => c.axes.length === 1 && c.axes[0] === 'schedule.cross')).toBe(true);
    expect(new Set(cells.map((c) => c.key)).size).toBe(6);
    expect(cells[0]!.assignments.at(-1)).toEqual({ node: 'capture', param: 'seed', value: 1 });
    expect(() => planSweep(doc, [parseGridArg('capture.seed=1')], [], [parseGridArg('capture.seed=2')])).toThrow(
      SweepSpecError,
    );
  });
});
