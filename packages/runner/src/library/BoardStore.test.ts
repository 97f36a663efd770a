import { BOARD_LIMITS } from '@ptp/graph-core';
import { describe, expect, it } from 'vitest';
import { BoardStore } from './BoardStore.js';
import { openStudioDatabase } from './openStudioDatabase.js';

const store = () => new BoardStore(openStudioDatabase(':memory:'));
const value = <T>(r: { ok: true; value: T } | { ok: false }): T => {
  if (!r.ok) throw new Error('expected ok');
  return r.value;
};

describe('BoardStore', () => {
  it('creates, renames and deletes boards; names are unique whatever their case', () => {
    const s = store();
    const keep = value(s.create('  Keepers '));
    expect(keep).toMatchObject({ name: 'Keepers', count: 0 });
    expect(s.create('keepers')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(s.create('')).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(s.create('x'.repeat(BOARD_LIMITS.maxNameLength + 1))).toMatchObject({ ok: false });
    const other = value(s.create('Rejects'));
    expect(s.rename(other.id, 'KEEPERS')).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(value(s.rename(other.id, 'Maybe')).name).toBe('Maybe');
    expect(s.list().map((b) => b.name)).toEqual(['Keepers', 'Maybe']);
    expect(s.delete(other.id).ok).toBe(true);
    expect(s.delete(other.id)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_BOARD' } });
    expect(s.rename('nope', 'x')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_BOARD' } });
  });

  it('holds pictures once each, newest added first, and forgets the pictures of a deleted run', () => {
    const s = store();
    const a = value(s.create('A'));
    const b = value(s.create('B'));
    s.add(a.id, { runId: 'r1', output: 'x.png' });
    s.add(a.id, { runId: 'r2', output: 'y.png' });
    expect(value(s.add(a.id, { runId: 'r1', output: 'x.png' })).count).toBe(2);
    s.add(b.id, { runId: 'r1', output: 'x.png' });
    expect(value(s.items(a.id, 10, 0)).refs).toEqual([
      { runId: 'r2', output: 'y.png' },
      { runId: 'r1', output: 'x.png' },
    ]);
    expect(value(s.items(a.id, 1, 1)).refs).toEqual([{ runId: 'r1', output: 'x.png' }]);
    expect(s.boardsOf(['r1']).get('r1/x.png')?.sort()).toEqual([a.id, b.id].sort());
    expect(value(s.remove(a.id, { runId: 'r2', output: 'y.png' })).count).toBe(1);
    s.forgetRun('r1');
    expect(s.list().map((x) => x.count)).toEqual([0, 0]);
    // Deleting a board drops its items with it.
    s.add(b.id, { runId: 'r3', output: 'z.png' });
    s.delete(b.id);
    expect(s.boardsOf(['r3']).size).toBe(0);
    expect(s.items('nope', 10, 0)).toMatchObject({ ok: false, error: { code: 'UNKNOWN_BOARD' } });
  });

  it('refuses boards and pictures beyond its limits', () => {
    const s = store();
    for (let i = 0; i < BOARD_LIMITS.maxBoards; i++) value(s.create(`b${i}`));
    expect(s.create('one more')).toMatchObject({ ok: false, error: { code: 'LIMIT_EXCEEDED' } });
  });
});
