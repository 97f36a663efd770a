import type { WorkflowDocument } from '@ptp/graph-core';

/** What auto-run asks of the editor. */
export interface AutoRunHost {
  /** What a run's result depends on now; undefined when there is nothing it may run (empty, problems). */
  key(): string | undefined;
  /** Whether a run is going on (auto-run waits for it to end). */
  running(): boolean;
  run(): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A pause after the last edit: a slider drag or typed word runs once, when it settles. */
export const AUTO_RUN_DELAY_MS = 500;

/**
 * Runs the graph again after each change that could change its result (ComfyUI's auto queue "on
 * change"), once the edits settle and no run is going on. A graph already run (by hand or by this)
 * is not run again, a move or a rename changes nothing, and a graph with blocking problems waits
 * quietly for the fix. The engine's cache makes a re-run cost only what the change reaches.
 */
export class AutoRun {
  #on = false;
  #timer: unknown;
  #lastKey: string | undefined;

  constructor(
    private readonly host: AutoRunHost,
    private readonly delayMs = AUTO_RUN_DELAY_MS,
    private readonly timers: Timers = globalThis,
  ) {}

  get enabled(): boolean {
    return this.#on;
  }

  /** Turned on, it runs the graph if this graph has not run yet; turned off, nothing more starts. */
  setEnabled(on: boolean): void {
    this.#on = on;
    if (on) this.changed();
    else this.#cancelTimer();
  }

  /** The graph changed: look again once the edits settle. */
  changed(): void {
    if (!this.#on) return;
    this.#cancelTimer();
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#check();
    }, this.delayMs);
  }

  /** A run started (by hand or by this): the graph as it is now counts as run. */
  started(): void {
    this.#lastKey = this.host.key() ?? this.#lastKey;
  }

  /** A run ended: an edit made while it went on gets its run now. */
  ended(): void {
    if (this.#on && this.#timer === undefined) this.#check();
  }

  dispose(): void {
    this.#on = false;
    this.#cancelTimer();
  }

  #check(): void {
    if (!this.#on || this.host.running()) return; // `ended` looks again
    const key = this.host.key();
    if (key === undefined || key === this.#lastKey) return;
    this.#lastKey = key;
    this.host.run();
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** What a run's result depends on: nodes (without their editor extras), links and blocks; not names or layout. */
export function runKey(doc: WorkflowDocument): string {
  return JSON.stringify([
    doc.nodes.map(({ ui: _ui, ...n }) => n),
    doc.edges.map((e) => [e.from, e.to]),
    doc.subgraphs ?? [],
  ]);
}
