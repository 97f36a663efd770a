import { describe, expect, it } from 'vitest';
import type { SweepCell } from './sweepSpec.js';
import type { CellResult } from './SweepResults.js';
import { groupMeans, sweepMarkdown } from './sweepTables.js';

const cell = (i: number, cross: number, seed: number): SweepCell => ({
  key: `k${i}`,
  index: i,
  pair: 'p',
  tags: {},
  assignments: [
    { node: 'schedule', param: 'cross', value: cross },
    { node: 'capture', param: 'seed', value: seed },
  ],
  axes: ['schedule.cross'],
});
const result = (c: SweepCell, iou: number, psnr: number): CellResult => ({
  key: c.key,
  index: c.index,
  pair: c.pair,
  tags: {},
  params: Object.fromEntries(c.assignments.map((a) => [`${a.node}.${a.param}`, a.value])),
  status: 'ok',
  ms: 1,
  metrics: { 'metrics.iou': iou, 'metrics.backgroundPsnr': psnr },
});

describe('sweep tables', () => {
  const cells = [cell(0, 0.2, 1), cell(1, 0.2, 2), cell(2, 0.2, 3), cell(3, 0.8, 1)];
  const results = [
    result(cells[0]!, 0.5, 40),
    result(cells[1]!, 0.6, Infinity),
    result(cells[2]!, 0.7, 42),
    result(cells[3]!, 0.9, 41),
  ];

  it('gives each group mean a 95 % t interval over its seeds, none for a single value', () => {
    const g = groupMeans(
      cells.map((c, i) => ({ cell: c, result: results[i]! })),
      ['schedule.cross'],
      ['metrics.iou', 'metrics.backgroundPsnr'],
    );
    // 0.5, 0.6, 0.7: s = 0.1, t(2) = 4.303.
    expect(g[0]!.means['metrics.iou']!.mean).toBeCloseTo(0.6);
    expect(g[0]!.means['metrics.iou']!.half).toBeCloseTo((4.303 * 0.1) / Math.sqrt(3), 6);
    // The identical-pixels value is counted apart, not averaged.
    expect(g[0]!.means['metrics.backgroundPsnr']).toMatchObject({ mean: 41, finite: 2, infinite: 1 });
    expect(Number.isNaN(g[1]!.means['metrics.iou']!.half)).toBe(true);
  });

  it('writes "mean ± half" in results.md, averaging over the seeds', () => {
    const md = sweepMarkdown({ title: 't', cells, results });
    expect(md).toContain(`| 0.2 | 3 | 0.600 ± ${((4.303 * 0.1) / Math.sqrt(3)).toFixed(3)} |`);
    expect(md).toContain('| 0.8 | 1 | 0.900 |');
    expect(md).toContain('(+1 inf)');
  });
});
