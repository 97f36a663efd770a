import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowDocument } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { runSweep, type CellExecutor } from './runSweep.js';
import { columnOf, parseGridArg, planSweep } from './sweepSpec.js';
import { SweepResults } from './SweepResults.js';

const doc = {
  schemaVersion: 3,
  metadata: { name: 'c', description: '', tags: [] },
  nodes: [{ id: 'p', type: 'ptp.prompt', typeVersion: 1, params: { text: 'x' } }],
  edges: [],
} as unknown as WorkflowDocument;

/**
 * `concurrency` is what queue executors use (cells spread over workers): cells overlap up to the
 * limit, finish in any order, and every result reaches the file once even when appends race
 * (a result with a new column rewrites the file while others append).
 */
describe('runSweep with concurrency', () => {
  it('keeps at most N cells in flight, writes every result once, and a rerun after an abort computes only the rest', async () => {
    const cells = planSweep(doc, [parseGridArg('p.text=a,b,c,d,e,f,g,h,i,j,k,l')]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-sweep-conc-')), 'results.csv');
    const paramColumns = cells.flatMap((c) => c.assignments.map(columnOf));
    let inFlight = 0;
    let peak = 0;
    const ran: string[] = [];
    const controller = new AbortController();
    const executor = (abortAfter?: number): CellExecutor => ({
      run: async (cell, signal) => {
        ran.push(cell.key);
        peak = Math.max(peak, ++inFlight);
        // Later cells finish first; every third one adds a metric column (forces a rewrite).
        await new Promise((r) => setTimeout(r, 5 + ((cells.length - cell.index) % 4) * 7));
        inFlight--;
        if (abortAfter !== undefined && ran.length >= abortAfter) controller.abort();
        if (signal.aborted) return 'interrupted';
        const metrics: Record<string, number> = { 'm.value': cell.index };
        if (cell.index % 3 === 0) metrics[`m.extra${cell.index}`] = 1;
        return {
          key: cell.key,
          index: cell.index,
          pair: null,
          tags: {},
          params: { 'p.text': cell.assignments[0]!.value },
          status: 'ok',
          ms: 1,
          metrics,
        };
      },
    });

    const first = await runSweep({
      cells,
      executor: executor(6),
      results: await SweepResults.open(file, { paramColumns }),
      signal: controller.signal,
      concurrency: 4,
    });
    expect(peak).toBe(4);
    expect(first.interrupted).toBe(true);
    const kept = await SweepResults.open(file, { paramColumns });
    expect(kept.results.length).toBe(first.ran);
    expect(new Set(kept.results.map((r) => r.key)).size).toBe(first.ran);

    const doneFirst = new Set(kept.results.map((r) => r.key));
    ran.length = 0;
    peak = 0;
    const second = await runSweep({ cells, executor: executor(), results: kept, concurrency: 4 });
    expect(second).toMatchObject({ total: 12, skipped: first.ran, ran: 12 - first.ran, interrupted: false });
    expect(new Set(ran)).toEqual(new Set(cells.filter((c) => !doneFirst.has(c.key)).map((c) => c.key)));
    const all = (await SweepResults.open(file, { paramColumns })).results;
    expect(all.map((r) => r.key)).toEqual(cells.map((c) => c.key));
    expect(all.map((r) => r.metrics['m.value'])).toEqual(cells.map((c) => c.index));
  });
});
