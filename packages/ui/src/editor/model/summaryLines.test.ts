import { describe, expect, it } from 'vitest';
import { summaryLines } from './summaryLines';

describe('summaryLines', () => {
  it('shows a flat summary as name / value rows, numbers to 3 significant digits', () => {
    expect(
      summaryLines({ iou: 0.930362, success: 1, psnr: 17.62878, kept: Infinity, missing: Number.NaN, target: 'green' }),
    ).toEqual([
      ['iou', '0.93'],
      ['success', '1'],
      ['psnr', '17.6'],
      ['kept', '∞'],
      ['missing', '–'],
      ['target', 'green'],
    ]);
  });

  it('keeps to max rows, and shows anything else as one row of JSON', () => {
    expect(summaryLines(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`m${i}`, i])), 3)).toHaveLength(3);
    expect(summaryLines([1, 2])).toEqual([['', '[1,2]']]);
    expect(summaryLines({ nested: { a: 1 } })).toEqual([['nested', '{"a":1}']]);
  });
});
