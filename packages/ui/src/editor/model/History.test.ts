import { describe, expect, it } from 'vitest';
import { History } from './History';

describe('History', () => {
  it('undoes and redoes at least 50 steps in order', () => {
    const h = new History<number>();
    let state = 0;
    for (let i = 1; i <= 60; i++) {
      h.record(state);
      state = i;
    }
    for (let i = 59; i >= 0; i--) state = h.undo(state)!;
    expect(state).toBe(0);
    expect(h.canUndo).toBe(false);
    for (let i = 1; i <= 60; i++) state = h.redo(state)!;
    expect(state).toBe(60);
    expect(h.canRedo).toBe(false);
  });

  it('keeps only the newest `capacity` steps', () => {
    const h = new History<number>({ capacity: 3 });
    for (let i = 0; i < 10; i++) h.record(i);
    expect(h.undoDepth).toBe(3);
    expect(h.undo(10)).toBe(9);
  });

  it('merges changes with the same key inside the window, not outside it', () => {
    let t = 0;
    const h = new History<string>({ now: () => t, coalesceMs: 1000 });
    h.record('a', 'param:x');
    t = 500;
    h.record('ab', 'param:x');
    expect(h.undoDepth).toBe(1);
    t = 2000;
    h.record('abc', 'param:x');
    expect(h.undoDepth).toBe(2);
    h.record('abcd', 'param:y');
    expect(h.undoDepth).toBe(3);
    h.seal();
    h.record('abcde', 'param:y');
    expect(h.undoDepth).toBe(4);
  });

  it('drops the redo branch when a new change is recorded', () => {
    const h = new History<number>();
    h.record(1);
    expect(h.undo(2)).toBe(1);
    expect(h.canRedo).toBe(true);
    h.record(1);
    expect(h.canRedo).toBe(false);
    expect(h.undo(5)).toBe(1);
    expect(h.undo(1)).toBeUndefined();
  });
});
