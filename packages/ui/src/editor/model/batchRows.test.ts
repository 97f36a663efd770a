import { batchRowsFromCsv, planBatch, validateBatch } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { startingRows } from './batchRows';
import { templateDocument } from './templates';
import { testIndex, testRegistry } from './testSupport';

describe('startingRows', () => {
  it("starts a batch's rows from the prompts and Local blend's words, which then plan and validate", () => {
    const doc = templateDocument('word-swap')!;
    const text = startingRows(doc);
    const [header, row] = text.trim().split('\n');
    expect(header).toMatch(/^source\.text,target1\.text,blend1\.sourceWords,blend1\.targetWords$/);
    expect(row).toBe(
      'a red circle and a blue square on a striped background,a red circle and a green square on a striped background,square,square',
    );
    // A second row swapping the object: its blend words follow, and every run checks out.
    const entryOf = (t: string) => testIndex().byType.get(t);
    const rows = batchRowsFromCsv(`${text}${row!.replaceAll('square', 'triangle')}\n`, doc, entryOf);
    const planned = rows.ok ? planBatch(doc, { count: 1, seeds: 'fixed', rows: rows.value }, entryOf) : undefined;
    expect(planned?.ok && validateBatch(planned.value, testRegistry())).toEqual([]);
    expect(startingRows({ ...doc, nodes: [] })).toBe('');
  });
});
