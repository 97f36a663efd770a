import { describe, expect, it } from 'vitest';
import { niceTicks, sweepPlot } from './sweepPlot.js';
import type { SweepCell } from './sweepSpec.js';
import type { CellResult } from './SweepResults.js';

const cell = (i: number, cross: number, self: number): SweepCell => ({
  key: `k${i}`,
  index: i,
  pair: null,
  tags: {},
  axes: ['s.cross', 's.self'],
  assignments: [
    { node: 's', param: 'cross', value: cross },
    { node: 's', param: 'self', value: self },
  ],
});
const result = (c: SweepCell, metrics: CellResult['metrics']): CellResult => ({
  key: c.key,
  index: c.index,
  pair: null,
  tags: {},
  params: { 's.cross': c.assignments[0]!.value, 's.self': c.assignments[1]!.value },
  status: 'ok',
  ms: 1,
  metrics,
});

describe('plot.svg', () => {
  it('picks round ticks', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(23.4, 25.1)).toEqual([23.5, 24, 24.5, 25]);
  });

  it('draws one line per value of the second axis, labels ticks at their precision, and says when a metric has no finite values', () => {
    const cells = [cell(0, 0.2, 0.2), cell(1, 0.8, 0.2), cell(2, 0.2, 1), cell(3, 0.8, 1)];
    const results = cells.map((c, i) =>
      result(c, { 'm.iou': 0.5 + i / 10, 'm.backgroundPsnr': Number.NaN, 'm.label': 'red' }),
    );
    const svg = sweepPlot({ cells, results });
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('>s.self=0.2</text>');
    expect(svg).toContain('>0.6</text>'); // step 0.1: one decimal
    expect(svg).not.toContain('>0.600</text>');
    expect(svg).toContain('no finite values');
    expect(svg).not.toContain('m.label'); // strings are context, not plotted
  });
  it('draws a 95 % error bar for a mean over several cells, none for a single cell', () => {
    // Three seeds of one setting (n = 3: a bar) and one cell of another (no bar).
    const cells = [cell(0, 0.2, 0.2), cell(1, 0.2, 0.2), cell(2, 0.2, 0.2), cell(3, 0.8, 0.2)].map((c, i) => ({
      ...c,
      key: `k${i}`,
      axes: ['s.cross'],
    }));
    const results = cells.map((c, i) => result(c, { 'm.iou': [0.5, 0.6, 0.7, 0.9][i]! }));
    const svg = sweepPlot({ cells, results });
    expect(svg.match(/<path d="M[^"]*V/g)).toHaveLength(1);
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });
});
