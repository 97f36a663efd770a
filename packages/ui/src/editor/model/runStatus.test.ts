import { Engine, type RunEvent } from '@ptp/graph-core';
import { createTestRegistry, doc } from '@ptp/graph-core/testing';
import { describe, expect, it } from 'vitest';
import {
  applyRunEvent,
  describeActivity,
  IDLE_RUN,
  isRunActive,
  progressFraction,
  secondsLeft,
  startRun,
  type RunView,
} from './runStatus';

async function runEvents(engine: Engine, d: ReturnType<typeof doc>): Promise<RunEvent[]> {
  const events: RunEvent[] = [];
  await engine.run(d, { onEvent: (e) => events.push(e) });
  return events;
}

describe('run events -> per-node status', () => {
  const graph = doc(
    [
      { id: 'n', type: 'test.number', params: { value: 2 } },
      { id: 'slow', type: 'test.slow', params: { steps: 3, stepMs: 1 } },
      { id: 'out', type: 'test.output' },
    ],
    ['n.value -> slow.value', 'slow.value -> out.value'],
  );

  it('follows a real engine run: progress on the executing node, then done, then success', async () => {
    const { registry } = createTestRegistry();
    const engine = new Engine(registry);
    let view: RunView = startRun('browser', 0);
    const seen: (number | undefined)[] = [];
    for (const e of await runEvents(engine, graph)) {
      view = applyRunEvent(view, e);
      if (e.type === 'progress') seen.push(progressFraction(view.nodes.slow));
    }
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBe(3);
    expect(view.phase).toBe('success');
    expect(view.nodes.slow?.state).toBe('done');
    expect(isRunActive(view)).toBe(false);

    // The second run of the same graph comes entirely from the cache.
    let again: RunView = startRun('browser', 0);
    for (const e of await runEvents(engine, graph)) again = applyRunEvent(again, e);
    expect(Object.values(again.nodes).every((s) => s.state === 'cached')).toBe(true);
  });

  it('marks the failing node and keeps the run error with its input', async () => {
    const { registry } = createTestRegistry();
    const bad = doc(
      [
        { id: 'n', type: 'test.number', params: { value: -1 } },
        { id: 'f', type: 'test.fail' },
        { id: 'out', type: 'test.output' },
      ],
      ['n.value -> f.value', 'f.value -> out.value'],
    );
    let view: RunView = IDLE_RUN;
    for (const e of await runEvents(new Engine(registry), bad)) view = applyRunEvent(view, e);
    expect(view.phase).toBe('error');
    expect(view.nodes.f?.state).toBe('error');
    expect(view.errors[0]).toMatchObject({ nodeId: 'f', input: 'value' });
  });

  it('reports every validation problem of a refused run and ignores replayed events', async () => {
    const { registry } = createTestRegistry();
    const invalid = doc(
      [
        { id: 'a', type: 'test.add' },
        { id: 'out', type: 'test.output' },
      ],
      ['a.sum -> out.value'],
    );
    const events = await runEvents(new Engine(registry), invalid);
    let view: RunView = IDLE_RUN;
    for (const e of [...events, ...events]) view = applyRunEvent(view, e);
    expect(view.phase).toBe('error');
    expect(view.errors.some((e) => e.nodeId === 'a' && e.input === 'a' && e.code === 'MISSING_INPUT')).toBe(true);
  });

  it('leaves no node executing after an interruption', () => {
    let v = applyRunEvent(IDLE_RUN, {
      type: 'run_started',
      runId: 'r',
      seq: 0,
      time: 0,
      nodes: ['x'],
      cached: [],
      targets: ['x'],
    });
    v = applyRunEvent(v, { type: 'node_executing', runId: 'r', seq: 1, time: 0, nodeId: 'x' });
    expect(isRunActive(v)).toBe(true);
    v = applyRunEvent(v, { type: 'interrupted', runId: 'r', seq: 2, time: 0, nodeId: 'x' });
    expect(v.phase).toBe('interrupted');
    expect(v.nodes.x?.state).toBe('pending');
  });
});

describe('what the toolbar says about a running graph', () => {
  const info = (id: string) =>
    ({ m: { type: 'ptp.loadModel', title: 'Load model' }, s: { type: 'ptp.editSampler', title: 'Edit sampler' } })[id];
  const at = (view: RunView, e: Partial<RunEvent> & { type: RunEvent['type'] }, seq: number, time: number) =>
    applyRunEvent(view, { runId: 'r', seq, time, ...e } as RunEvent);

  it('says loading, then compiling before the first step, then sampling n/N with the time left', () => {
    let v = at(startRun('server', 0), { type: 'run_started', nodes: ['m', 's'], cached: [], targets: ['s'] }, 0, 0);
    expect(describeActivity(startRun('server', 0), info)).toEqual({ phase: 'queued' });
    v = at(v, { type: 'node_executing', nodeId: 'm' }, 1, 0);
    expect(describeActivity(v, info)).toMatchObject({ phase: 'loading', nodeId: 'm' });
    v = at(v, { type: 'node_executed', nodeId: 'm', durationMs: 5 }, 2, 5);
    v = at(v, { type: 'node_executing', nodeId: 's' }, 3, 5);
    expect(describeActivity(v, info)).toMatchObject({ phase: 'compiling', detail: 'Edit sampler' });
    v = at(v, { type: 'progress', nodeId: 's', value: 1, max: 20 }, 4, 1000);
    expect(describeActivity(v, info)).toMatchObject({ phase: 'sampling', detail: 'Edit sampler, step 1/20' });
    v = at(v, { type: 'progress', nodeId: 's', value: 5, max: 20 }, 5, 3000);
    // 4 steps in 2 s: 15 steps left take 7.5 s.
    expect(secondsLeft(v.nodes.s)).toBeCloseTo(7.5);
    expect(describeActivity(v, info)).toMatchObject({ detail: 'Edit sampler, step 5/20 · ~7.5 s left' });
    v = at(v, { type: 'success', durationMs: 4000 }, 6, 4000);
    expect(describeActivity(v, info)).toBeUndefined();
  });
});
