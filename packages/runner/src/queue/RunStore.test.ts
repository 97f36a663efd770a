import type { RunBatch, WorkflowDocument } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { migrateComponent, openStudioDatabase } from '../library/openStudioDatabase.js';
import { RUN_STORE_MIGRATIONS, RunStore } from './RunStore.js';

const workflow = { schemaVersion: 3, metadata: { name: 'x', description: '', tags: [] }, nodes: [], edges: [] };

/** A store with `n` runs named by kind; every third one still queued, the rest succeeded. */
function storeWith(n: number): RunStore {
  const store = new RunStore(openStudioDatabase(':memory:'));
  for (let i = 0; i < n; i++) {
    const id = `run_${String(i).padStart(5, '0')}`;
    store.insert({
      id,
      name: i % 2 ? `Word swap ${i}` : `Refine 50%_${i}`,
      options: {},
      workflow: workflow as unknown as WorkflowDocument,
      createdAt: new Date(Date.UTC(2026, 11, 2, 0, 0, i)).toISOString(),
    });
    if (i % 3) store.finish(id, 'succeeded', new Date().toISOString());
  }
  return store;
}

/** A database at the first `migrations` run-store migrations, holding one run 'run_old' in `status`. */
function oldDatabase(migrations: number, status: string) {
  const db = openStudioDatabase(':memory:');
  migrateComponent(db, 'run-queue', RUN_STORE_MIGRATIONS.slice(0, migrations));
  db.prepare(
    "INSERT INTO runs (id, status, name, options, workflow, created_at) VALUES ('run_old', ?, 'old', '{}', '{}', '2026-01-01T00:00:00.000Z')",
  ).run(status);
  return db;
}

/** A queued run named 'w', now. */
const newRun = (id: string) => ({
  id,
  name: 'w',
  options: {},
  workflow: workflow as unknown as WorkflowDocument,
  createdAt: new Date().toISOString(),
});

/** One queued run named 'w', now, with a batch place or queued at the front. */
function insertRun(store: RunStore, id: string, extra: { batch?: RunBatch | undefined; front?: boolean | undefined }) {
  return store.insert({ ...newRun(id), ...extra });
}

describe('RunStore history', () => {
  it('pages newest first through thousands of runs, searching names and ids', () => {
    const store = storeWith(3000);
    const first = store.list({ limit: 50 });
    expect(first.map((r) => r.id).slice(0, 2)).toEqual(['run_02999', 'run_02998']);
    const second = store.list({ limit: 50, before: first.at(-1)!.id });
    expect(second[0]!.id).toBe('run_02949');
    // Every run exactly once across all pages.
    const seen: string[] = [];
    for (let page = store.list({ limit: 500 }); page.length; page = store.list({ limit: 500, before: page.at(-1)!.id }))
      seen.push(...page.map((r) => r.id));
    expect(new Set(seen).size).toBe(3000);

    const swaps = store.list({ limit: 500, q: 'WORD swap' });
    expect(swaps).toHaveLength(500);
    expect(swaps.every((r) => r.name.startsWith('Word swap'))).toBe(true);
    // LIKE wildcards in the query are literal: "50%_" matches only names that contain it.
    expect(store.list({ limit: 5, q: '50%_1' }).map((r) => r.name)).toEqual([
      'Refine 50%_1998',
      'Refine 50%_1996',
      'Refine 50%_1994',
      'Refine 50%_1992',
      'Refine 50%_1990',
    ]);
    expect(store.list({ limit: 3, q: 'run_00012' }).map((r) => r.id)).toEqual(['run_00012']);
    expect(store.list({ limit: 10, status: 'queued', q: 'swap' }).every((r) => r.status === 'queued')).toBe(true);
  });

  it('deletes final runs with their events, never queued ones; retention names the oldest beyond N', () => {
    const store = storeWith(10);
    expect(store.delete('run_00000')).toBe(false); // queued
    store.appendEvent({ type: 'success', runId: 'run_00001', seq: 0, time: 0, durationMs: 1 } as never);
    expect(store.delete('run_00001')).toBe(true);
    expect(store.get('run_00001')).toBeUndefined();
    expect(store.events('run_00001', -1)).toEqual([]);
    expect(store.delete('run_00001')).toBe(false);
    // Final runs now: 2, 4, 5, 7, 8 (3, 6, 9 and 0 are queued). Keep the newest 3.
    expect(store.beyond(3)).toEqual(['run_00004', 'run_00002']);
  });
});

describe('RunStore batches', () => {
  it("keeps a run's batch and lists one batch newest first, whatever else was queued between", () => {
    const store = new RunStore(openStudioDatabase(':memory:'));
    const add = (id: string, batch?: RunBatch) => insertRun(store, id, { batch });
    add('run_a0', { id: 'b1', index: 0, size: 2 });
    add('run_x');
    add('run_a1', { id: 'b1', index: 1, size: 2 });
    add('run_b0', { id: 'b2', index: 0, size: 1 });
    expect(store.list({ limit: 10, batch: 'b1' }).map((r) => [r.id, r.batch?.index])).toEqual([
      ['run_a1', 1],
      ['run_a0', 0],
    ]);
    expect(store.get('run_x')!.batch).toBeUndefined();
    expect(store.list({ limit: 10, batch: 'b1', before: 'run_a1' }).map((r) => r.id)).toEqual(['run_a0']);
    expect(store.list({ limit: 10, batch: 'nope' })).toEqual([]);
  });

  it('upgrades a database from before batches, keeping its runs', () => {
    const db = oldDatabase(1, 'succeeded');
    const store = new RunStore(db);
    expect(store.get('run_old')).toMatchObject({ id: 'run_old', status: 'succeeded', name: 'old' });
    expect(store.get('run_old')!.batch).toBeUndefined();
    expect(store.list({ limit: 5, batch: 'b1' })).toEqual([]);
  });

  it("keeps a run's seeds, and reads a run from before seeds without them", () => {
    const db = oldDatabase(4, 'succeeded');
    const store = new RunStore(db);
    store.insert({ ...newRun('run_s'), seeds: [42, 7] });
    store.insert({ ...newRun('run_none'), seeds: [] });
    expect(store.get('run_s')!.seeds).toEqual([42, 7]);
    expect(store.list({ limit: 5 }).map((r) => r.seeds)).toEqual([undefined, [42, 7], undefined]);
  });

  it('queues a front run ahead of every waiting one (the newest front run first); positions follow', () => {
    // Upgraded from before queue front, with a run still waiting: it keeps its place.
    const db = oldDatabase(2, 'queued');
    const store = new RunStore(db);
    const add = (id: string, front?: boolean) => insertRun(store, id, { front }).record;
    add('run_a');
    expect(add('run_f1', true).queuePosition).toBe(0);
    add('run_b');
    expect(add('run_f2', true).queuePosition).toBe(0);
    const order = ['run_f2', 'run_f1', 'run_old', 'run_a', 'run_b'];
    expect(order.map((id) => store.get(id)!.queuePosition)).toEqual([0, 1, 2, 3, 4]);
    // History still lists by submission, newest first.
    expect(store.list({ limit: 10 }).map((r) => r.id)).toEqual(['run_f2', 'run_b', 'run_f1', 'run_a', 'run_old']);
    // The queued runs alone by place, from the back (as on Redis), paged without a loss or a repeat.
    const first = store.list({ status: 'queued', limit: 3 });
    const rest = store.list({ status: 'queued', limit: 3, before: first.at(-1)!.id });
    expect([...first, ...rest].map((r) => r.id)).toEqual([...order].reverse());
    const claimed: string[] = [];
    for (let next = store.claimNext('t'); next; next = store.claimNext('t')) claimed.push(next.record.id);
    expect(claimed).toEqual(order);
    // With nothing waiting, a front run is simply next.
    expect(add('run_f3', true).queuePosition).toBe(0);
    expect(add('run_c').queuePosition).toBe(1);
  });

  it('keeps the queue paused across a restart (a new store on the same database)', () => {
    const db = openStudioDatabase(':memory:');
    const store = new RunStore(db);
    expect(store.paused()).toBe(false);
    store.setPaused(true);
    expect(new RunStore(db).paused()).toBe(true);
    store.setPaused(false);
    expect(new RunStore(db).paused()).toBe(false);
  });
});
