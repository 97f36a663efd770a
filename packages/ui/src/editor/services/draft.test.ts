import { describe, expect, it, vi } from 'vitest';
import { EditorStore } from '../model/EditorStore';
import { templateDocument } from '../model/templates';
import { testIndex, testRegistry } from '../model/testSupport';
import { DRAFT_KEY, keepDraft, readDraft } from './draft';

/** Storage over a Map; `quota` makes setItem throw past that many characters. */
function memoryStorage(quota = Infinity): Storage {
  const m = new Map<string, string>();
  return {
    get length() {
      return m.size;
    },
    clear: () => m.clear(),
    getItem: (k) => m.get(k) ?? null,
    key: (i) => [...m.keys()][i] ?? null,
    removeItem: (k) => void m.delete(k),
    setItem: (k, v) => {
      if (v.length > quota) throw new DOMException('quota', 'QuotaExceededError');
      m.set(k, v);
    },
  };
}

const newStore = () => {
  const s = new EditorStore({ index: testIndex(), registry: testRegistry() });
  s.load(templateDocument('word-swap')!);
  return s;
};

describe('draft', () => {
  it('keeps the workflow a moment after each change, unsaved edits and library entry included', () => {
    vi.useFakeTimers();
    try {
      const storage = memoryStorage();
      const store = newStore();
      const stop = keepDraft(store, storage, 100);
      store.setParam('capture', 'steps', 9);
      expect(storage.getItem(DRAFT_KEY)).toBeNull();
      vi.advanceTimersByTime(150);
      const draft = readDraft(storage, testRegistry())!;
      expect(draft.dirty).toBe(true);
      expect(draft.document.nodes.find((n) => n.id === 'capture')!.params.steps).toBe(9);
      // A save changes no graph, but the draft must stop calling the edits unsaved.
      store.markSaved({ id: 'w1', version: 2 });
      stop();
      expect(readDraft(storage, testRegistry())).toMatchObject({ dirty: false, library: { id: 'w1', version: 2 } });
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads nothing from a bad, empty or foreign draft, and keeps the last one over the quota', () => {
    const storage = memoryStorage(50);
    expect(readDraft(storage, testRegistry())).toBeUndefined();
    storage.setItem(DRAFT_KEY, '{"not":"a draft"}');
    expect(readDraft(storage, testRegistry())).toBeUndefined();
    const store = newStore();
    const stop = keepDraft(store, storage, 0);
    store.setParam('capture', 'steps', 9);
    // Too big for this storage: no throw, the old text stays.
    expect(() => stop()).not.toThrow();
    expect(storage.getItem(DRAFT_KEY)).toBe('{"not":"a draft"}');
    const empty = memoryStorage();
    empty.setItem(
      DRAFT_KEY,
      JSON.stringify({ version: 1, document: '{"schemaVersion":3,"nodes":[],"edges":[]}', dirty: true }),
    );
    expect(readDraft(empty, testRegistry())).toBeUndefined();
  });
});
