/**
 * Undo/redo over immutable snapshots. `record(before)` is called before each undoable change with
 * the state it replaces; changes sharing a `coalesceKey` within `coalesceMs` (a slider drag, typing
 * in one field) become one step. Keeps the newest `capacity` steps.
 */
export class History<T> {
  readonly capacity: number;
  readonly #coalesceMs: number;
  readonly #now: () => number;
  #past: T[] = [];
  #future: T[] = [];
  #lastKey: string | undefined;
  #lastAt = -Infinity;

  constructor(options: { capacity?: number; coalesceMs?: number; now?: () => number } = {}) {
    this.capacity = Math.max(1, options.capacity ?? 100);
    this.#coalesceMs = options.coalesceMs ?? 1000;
    this.#now = options.now ?? (() => Date.now());
  }

  get canUndo(): boolean {
    return this.#past.length > 0;
  }
  get canRedo(): boolean {
    return this.#future.length > 0;
  }
  get undoDepth(): number {
    return this.#past.length;
  }
  get redoDepth(): number {
    return this.#future.length;
  }

  /** Records `before` as an undo step (unless it continues the previous step). Clears redo. */
  record(before: T, coalesceKey?: string): void {
    const now = this.#now();
    const continues =
      coalesceKey !== undefined && coalesceKey === this.#lastKey && now - this.#lastAt <= this.#coalesceMs;
    this.#lastKey = coalesceKey;
    this.#lastAt = now;
    this.#future = [];
    if (continues) return;
    this.#past.push(before);
    if (this.#past.length > this.capacity) this.#past.splice(0, this.#past.length - this.capacity);
  }

  /** The state to restore, given the current one (which becomes redoable); undefined when empty. */
  undo(current: T): T | undefined {
    const prev = this.#past.pop();
    if (prev === undefined) return undefined;
    this.#future.push(current);
    this.#lastKey = undefined;
    return prev;
  }

  redo(current: T): T | undefined {
    const next = this.#future.pop();
    if (next === undefined) return undefined;
    this.#past.push(current);
    this.#lastKey = undefined;
    return next;
  }

  /** Ends coalescing: the next change is a new step even with the same key. */
  seal(): void {
    this.#lastKey = undefined;
  }

  clear(): void {
    this.#past = [];
    this.#future = [];
    this.#lastKey = undefined;
  }
}
