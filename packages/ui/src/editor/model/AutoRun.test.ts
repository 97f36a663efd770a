import { describe, expect, it } from 'vitest';
import type { WorkflowDocument } from '@ptp/graph-core';
import { AutoRun, runKey } from './AutoRun';

/** Timers the test advances by hand, and an editor whose graph, problems and run it sets. */
function setup() {
  let now = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let next = 1;
  const timers = {
    setTimeout: (fn: () => void, ms: number) => {
      pending.set(next, { at: now + ms, fn });
      return next++;
    },
    clearTimeout: (h: unknown) => void pending.delete(h as number),
  };
  const advance = (ms: number) => {
    now += ms;
    for (const [h, t] of [...pending].sort((a, b) => a[1].at - b[1].at))
      if (t.at <= now) {
        pending.delete(h);
        t.fn();
      }
  };
  const host = { graph: 'g1' as string | undefined, busy: false, runs: [] as string[] };
  const auto = new AutoRun(
    {
      key: () => host.graph,
      running: () => host.busy,
      run: () => {
        host.runs.push(host.graph!);
        auto.started();
      },
    },
    500,
    timers,
  );
  return { auto, host, advance };
}

describe('AutoRun (run on change)', () => {
  it('runs once the edits settle, not on every one, and not again for a graph it ran', () => {
    const { auto, host, advance } = setup();
    auto.changed();
    advance(1000);
    expect(host.runs).toEqual([]); // off: nothing
    auto.setEnabled(true);
    advance(499);
    expect(host.runs).toEqual([]);
    advance(1);
    expect(host.runs).toEqual(['g1']); // turned on: the graph as it is
    for (const g of ['g2', 'g3', 'g4']) {
      host.graph = g;
      auto.changed();
      advance(200); // a slider drag: each step pushes the run back
    }
    expect(host.runs).toEqual(['g1']);
    advance(300);
    expect(host.runs).toEqual(['g1', 'g4']);
    auto.changed(); // a move: the key is the same
    advance(500);
    expect(host.runs).toEqual(['g1', 'g4']);
  });

  it('waits for a run going on, then runs the edits made meanwhile', () => {
    const { auto, host, advance } = setup();
    auto.setEnabled(true);
    advance(500);
    host.busy = true;
    host.graph = 'g2';
    auto.changed();
    advance(500);
    expect(host.runs).toEqual(['g1']);
    host.busy = false;
    auto.ended();
    expect(host.runs).toEqual(['g1', 'g2']);
    auto.ended(); // a run that changed nothing since
    expect(host.runs).toEqual(['g1', 'g2']);
  });

  it('a run by hand counts; blocking problems wait quietly; off stops what was about to start', () => {
    const { auto, host, advance } = setup();
    auto.started(); // Run clicked before Auto was on
    auto.setEnabled(true);
    advance(500);
    expect(host.runs).toEqual([]);
    host.graph = undefined; // a problem blocks the run
    auto.changed();
    advance(500);
    expect(host.runs).toEqual([]);
    host.graph = 'g2';
    auto.changed();
    auto.setEnabled(false);
    advance(1000);
    expect(host.runs).toEqual([]);
  });
});

describe('runKey', () => {
  const base: WorkflowDocument = {
    schemaVersion: 3,
    metadata: { name: 'a' },
    nodes: [{ id: 'n', type: 't', typeVersion: 1, params: { x: 1 }, ui: { position: { x: 0, y: 0 } } }],
    edges: [],
  } as unknown as WorkflowDocument;
  it('changes with params and modes, not with layout or the name', () => {
    const key = runKey(base);
    const moved = {
      ...base,
      metadata: { name: 'b' },
      nodes: [{ ...base.nodes[0]!, ui: { position: { x: 9, y: 9 } } }],
    };
    expect(runKey(moved as WorkflowDocument)).toBe(key);
    expect(runKey({ ...base, nodes: [{ ...base.nodes[0]!, params: { x: 2 } }] })).not.toBe(key);
    expect(runKey({ ...base, nodes: [{ ...base.nodes[0]!, mode: 'mute' }] })).not.toBe(key);
  });
});
