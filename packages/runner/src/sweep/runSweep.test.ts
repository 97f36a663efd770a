import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { loadDocument } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { afterAll, describe, expect, it } from 'vitest';
import { OrtNodeBackend } from '../backends/OrtNodeBackend.js';
import { EngineCellExecutor } from './EngineCellExecutor.js';
import { runSweep, type CellExecutor } from './runSweep.js';
import { columnOf, parseGridArg, planSweep } from './sweepSpec.js';
import { SweepResults } from './SweepResults.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const registry = createNodeRegistry();
const backend = new OrtNodeBackend({ provider: 'cpu' });
afterAll(() => backend.release());

describe('runSweep on the tiny pack', () => {
  it('stops inside a cell on abort, keeps the finished cells, and a rerun computes only the rest', async () => {
    const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples/study-word-swap.json'), 'utf8'), {
      registry,
    });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const doc = loaded.value;
    // Enough steps that the abort, 30 ms into the third cell, lands while it samples even on a fast machine.
    doc.nodes.find((n) => n.id === 'capture')!.params.steps = 12;
    const cells = planSweep(doc, [parseGridArg('schedule.cross=0.2,0.8'), parseGridArg('schedule.self=0.2,1')]);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ptp-sweep-')), 'results.csv');
    const paramColumns = cells.flatMap((c) => c.assignments.map(columnOf));
    const engine = new EngineCellExecutor(doc, registry, backend);
    const ran: string[] = [];
    const controller = new AbortController();
    const counting = (abortAt?: number): CellExecutor => ({
      run: (cell, signal) => {
        ran.push(cell.key);
        // Abort while the third cell is sampling, not between cells.
        if (ran.length === abortAt) setTimeout(() => controller.abort(), 30);
        return engine.run(cell, signal);
      },
    });

    const first = await runSweep({
      cells,
      executor: counting(3),
      results: await SweepResults.open(file, { paramColumns }),
      signal: controller.signal,
    });
    expect(first).toMatchObject({ total: 4, ran: 2, skipped: 0, interrupted: true });
    const kept = await SweepResults.open(file, { paramColumns });
    expect(kept.results.map((r) => r.key)).toEqual(cells.slice(0, 2).map((c) => c.key));
    expect(kept.results[0]!.metrics).toMatchObject({
      'metrics.iou': expect.any(Number),
      'metrics.success': expect.any(Number),
      'metrics.ssim': expect.any(Number),
    });
    expect(kept.results[0]!.params).toEqual({ 'schedule.cross': 0.2, 'schedule.self': 0.2 });

    ran.length = 0;
    const second = await runSweep({ cells, executor: counting(), results: kept });
    expect(second).toMatchObject({ total: 4, ran: 2, skipped: 2, interrupted: false, failed: 0 });
    expect(ran).toEqual(cells.slice(2).map((c) => c.key));
    expect((await SweepResults.open(file, { paramColumns })).results).toHaveLength(4);
  });

  it('records a failing cell with its node and reruns it next time', async () => {
    const loaded = loadDocument(readFileSync(path.join(repoRoot, 'examples/study-word-swap.json'), 'utf8'), {
      registry,
    });
    if (!loaded.ok) throw new Error('load');
    const cells = planSweep(loaded.value, [parseGridArg('metrics.editItem=5')]);
    const results = await SweepResults.open(path.join(mkdtempSync(path.join(tmpdir(), 'ptp-sweep-')), 'results.csv'));
    loaded.value.nodes.find((n) => n.id === 'capture')!.params.steps = 1;
    const summary = await runSweep({
      cells,
      executor: new EngineCellExecutor(loaded.value, registry, backend),
      results,
    });
    expect(summary).toMatchObject({ ran: 1, failed: 1 });
    expect(results.results[0]).toMatchObject({ status: 'error', error: expect.stringContaining('node metrics') });
    expect(results.done(cells[0]!.key)).toBe(false);
  });
});
