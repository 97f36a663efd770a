import type { RunRecord } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { batchSummary, mergeRunPage, queuePlaces, runDuration, seedText, upsertRun } from './runHistory';

const run = (id: string, patch: Partial<RunRecord> = {}): RunRecord => ({
  id,
  status: 'succeeded',
  name: `swap ${id}`,
  options: {},
  createdAt: '2026-12-02T10:00:00.000Z',
  lastSeq: 3,
  outputs: [],
  ...patch,
});
const ALL = { q: '', status: '' as const };

describe('run history list', () => {
  it("says a run's seeds unless its name already does", () => {
    expect(seedText('swap a', [42])).toBe('seed 42');
    expect(seedText('swap a', [42, 7])).toBe('seeds 42, 7');
    expect(seedText('swap a')).toBeUndefined();
    expect(seedText('w · row 2 · seed 42', [42])).toBeUndefined();
    expect(seedText('w · seed 420', [42])).toBe('seed 42');
  });

  it('appends pages without repeating runs a live update already added', () => {
    expect(mergeRunPage([run('a'), run('b')], [run('b'), run('c')]).map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });

  it('updates shown runs in place, puts new ones on top, and follows the filter', () => {
    const list = [run('a', { status: 'running' }), run('b')];
    expect(upsertRun(list, run('a'), ALL).map((r) => [r.id, r.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
    ]);
    expect(upsertRun(list, run('n', { status: 'queued' }), ALL).map((r) => r.id)).toEqual(['n', 'a', 'b']);
    // Filtered on running: a finished run leaves the list; a run of another name never enters it.
    expect(upsertRun(list, run('a'), { q: '', status: 'running' }).map((r) => r.id)).toEqual(['b']);
    expect(upsertRun(list, run('x', { name: 'refine' }), { q: 'swap', status: '' }).map((r) => r.id)).toEqual([
      'a',
      'b',
    ]);
  });

  it('measures a run from start to finish, or to now while it runs', () => {
    const started = { startedAt: '2026-12-02T10:00:01.000Z' };
    expect(runDuration(run('a'))).toBeUndefined();
    expect(runDuration(run('a', { ...started, finishedAt: '2026-12-02T10:00:03.500Z' }))).toBe(2500);
    expect(runDuration(run('a', started), Date.parse('2026-12-02T10:00:02.000Z'))).toBe(1000);
  });

  it('keeps a batch filter live and sums up a batch', () => {
    const batch = (index: number) => ({ batch: { id: 'b1', index, size: 4 } });
    const list = [run('a', { ...batch(1), status: 'running' }), run('b', batch(0))];
    const only = { ...ALL, batch: 'b1' };
    expect(upsertRun(list, run('c', { ...batch(2), status: 'queued' }), only).map((r) => r.id)).toEqual([
      'c',
      'a',
      'b',
    ]);
    expect(upsertRun(list, run('x', { status: 'queued' }), only).map((r) => r.id)).toEqual(['a', 'b']);
    expect(batchSummary([...list, run('d', { ...batch(3), status: 'failed' })])).toEqual({
      size: 4,
      shown: 3,
      waiting: 0,
      running: 1,
      succeeded: 1,
      other: 1,
      retried: 0,
    });
    // The failed run retried: its new try counts in its place.
    const retry = run('e', { ...batch(3), status: 'queued', resubmittedFrom: 'd' });
    expect(batchSummary([...list, run('d', { ...batch(3), status: 'failed' }), retry])).toMatchObject({
      shown: 3,
      waiting: 1,
      other: 0,
      retried: 1,
    });
  });

  it("places waiting runs by the server's latest order, falling back to their record's place", () => {
    const runs = [
      run('a', { status: 'queued', queuePosition: 4 }),
      run('b', { status: 'queued', queuePosition: 0 }),
      run('c', { status: 'queued', queuePosition: 7 }),
      run('d', { status: 'running' }),
    ];
    // Since the records were read, b started and a front run f arrived: a is second now.
    expect([...queuePlaces(runs, { waiting: ['f', 'a', 'c'], total: 3, paused: false })]).toEqual([
      ['a', 1],
      ['c', 2],
    ]);
    // An order naming only the first runs: the others are behind them.
    expect([...queuePlaces(runs, { waiting: ['f', 'a'], total: 4, paused: false })]).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 7],
    ]);
    expect([...queuePlaces(runs, undefined)]).toEqual([
      ['a', 4],
      ['b', 0],
      ['c', 7],
    ]);
  });
});
