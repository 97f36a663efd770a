import { describe, expect, it } from 'vitest';
import { checkEventOrder } from './checkEventOrder.js';
import { Engine } from './Engine.js';
import type { RunEvent } from './events.js';
import { OutputCache } from './OutputCache.js';
import { createTestRegistry, doc } from './testing/index.js';

function setup(cache?: OutputCache) {
  const t = createTestRegistry();
  return { ...t, engine: new Engine(t.registry, cache ? { cache } : {}) };
}

// a -> add1 -> add2 -> out, b -> add1; c -> side (an output of its own)
const chain = (aValue = 1, bias = 0) =>
  doc(
    [
      { id: 'a', type: 'test.number', params: { value: aValue } },
      { id: 'b', type: 'test.number', params: { value: 10 } },
      { id: 'add1', type: 'test.add' },
      { id: 'add2', type: 'test.add', params: { bias } },
      { id: 'out', type: 'test.output' },
      { id: 'c', type: 'test.number', params: { value: 7 } },
      { id: 'side', type: 'test.output' },
    ],
    ['a.value -> add1.a', 'b.value -> add1.b', 'add1.sum -> add2.a', 'add2.sum -> out.value', 'c.value -> side.value'],
  );

describe('Engine', () => {
  it('runs what the outputs need in topological order and returns their values', async () => {
    const { engine } = setup();
    const events: RunEvent[] = [];
    const r = await engine.run(chain(), { onEvent: (e) => events.push(e) });
    expect(r.status).toBe('success');
    expect(r.outputs.get('out')).toEqual({ value: 11 });
    expect(r.outputs.get('side')).toEqual({ value: 7 });
    const pos = (id: string) => r.executed.indexOf(id);
    expect(pos('a')).toBeLessThan(pos('add1'));
    expect(pos('add1')).toBeLessThan(pos('add2'));
    expect(pos('add2')).toBeLessThan(pos('out'));
    expect(checkEventOrder(events)).toEqual([]);
    expect(events.map((e) => e.type).filter((t) => t === 'node_executed')).toHaveLength(7);
  });

  it('re-runs exactly the changed node and its descendants', async () => {
    const { engine, runs } = setup();
    await engine.run(chain(1, 0));
    runs.clear();
    const r = await engine.run(chain(1, 5));
    expect(r.outputs.get('out')).toEqual({ value: 16 });
    expect([...runs.keys()].sort()).toEqual(['add2', 'out']);
    expect(r.executed).toEqual(['add2', 'out']);
    runs.clear();
    const again = await engine.run(chain(1, 5));
    expect(runs.size).toBe(0);
    expect(again.executed).toEqual([]);
    expect(again.outputs.get('out')).toEqual({ value: 16 });
  });

  it('shares cache entries between identical graphs whose node ids differ', async () => {
    const { engine, runs } = setup();
    await engine.run(
      doc(
        [
          { id: 'x', type: 'test.number', params: { value: 3 } },
          { id: 'o', type: 'test.output' },
        ],
        ['x.value -> o.value'],
      ),
    );
    runs.clear();
    const events: RunEvent[] = [];
    const r = await engine.run(
      doc(
        [
          { id: 'other', type: 'test.number', params: { value: 3 } },
          { id: 'sink', type: 'test.output' },
        ],
        ['other.value -> sink.value'],
      ),
      { onEvent: (e) => events.push(e) },
    );
    expect(runs.size).toBe(0);
    // What the cached output holds is told, as node_executed would have (a Show value shows it).
    expect(events.find((e) => e.type === 'node_cached')).toMatchObject({
      nodeIds: ['sink'],
      summaries: { sink: expect.anything() },
    });
    // The cached output makes its ancestors unnecessary: nothing upstream is even looked at.
    expect(r.cached).toEqual(['sink']);
    expect(r.executed).toEqual([]);
    expect(r.outputs.get('sink')).toEqual({ value: 3 });
  });

  it('param key order does not change the cache key; editor data never does', async () => {
    const { engine, runs } = setup();
    const d1 = doc(
      [
        { id: 't', type: 'test.text', params: { text: 'hi', mode: 'upper' } },
        { id: 'o', type: 'test.output' },
      ],
      ['t.text -> o.value'],
    );
    await engine.run(d1);
    runs.clear();
    const d2 = doc(
      [
        { id: 't', type: 'test.text', params: { mode: 'upper', text: 'hi' } },
        { id: 'o', type: 'test.output' },
      ],
      ['t.text -> o.value'],
    );
    d2.nodes[0]!.ui = { position: { x: 500, y: 3 }, color: '#f00' };
    await engine.run(d2);
    expect(runs.size).toBe(0);
  });

  it('runs a chosen output alone (partial execution)', async () => {
    const { engine, runs } = setup();
    const r = await engine.run(chain(), { outputs: ['side'] });
    expect([...runs.keys()].sort()).toEqual(['c', 'side']);
    expect([...r.outputs.keys()]).toEqual(['side']);
    // A broken branch elsewhere does not block a partial run.
    const broken = chain();
    broken.nodes.push(
      { id: 'bad', type: 'nope', typeVersion: 1, params: {} },
      { id: 'o2', type: 'test.output', typeVersion: 1, params: {} },
    );
    broken.edges.push({ from: { node: 'bad', output: 'x' }, to: { node: 'o2', input: 'value' } });
    expect((await engine.run(broken, { outputs: ['side'] })).status).toBe('success');
    expect((await engine.run(broken)).status).toBe('error');
    // A whole-graph run: a dangling node of an unknown type may be an output this runtime cannot
    // see, so it blocks (its result would be lost); other dangling problems do not.
    const dangling = chain();
    dangling.nodes.push({ id: 'saveX', type: 'pkg.saveSomewhere', typeVersion: 1, params: {} });
    const refused = await engine.run(dangling);
    expect(refused.status).toBe('error');
    expect(refused.errors).toEqual([expect.objectContaining({ code: 'UNKNOWN_NODE_TYPE', nodeId: 'saveX' })]);
    expect((await engine.run(dangling, { outputs: ['side'] })).status).toBe('success');
  });

  it('never caches non-cacheable nodes, and re-runs their descendants', async () => {
    const { engine, runs } = setup();
    const d = doc(
      [
        { id: 'k', type: 'test.clock' },
        { id: 'o', type: 'test.output' },
      ],
      ['k.value -> o.value'],
    );
    await engine.run(d);
    const r = await engine.run(d);
    expect(runs.get('k')).toBe(2);
    expect(r.outputs.get('o')).toEqual({ value: 2 });
  });

  it('passes multi inputs as an array in edge order', async () => {
    const { engine } = setup();
    const d = doc(
      [
        { id: 'a', type: 'test.number', params: { value: 2 } },
        { id: 'b', type: 'test.number', params: { value: 3 } },
        { id: 's', type: 'test.sum' },
        { id: 'o', type: 'test.output' },
      ],
      ['a.value -> s.values', 'b.value -> s.values', 'a.value -> s.values', 's.total -> o.value'],
    );
    expect((await engine.run(d)).outputs.get('o')).toEqual({ value: 7 });
  });

  it('cancels mid-node promptly, even a node that ignores the signal, and emits interrupted', async () => {
    const { engine } = setup();
    const d = doc(
      [
        { id: 'a', type: 'test.number' },
        { id: 'h', type: 'test.hang' },
        { id: 'o', type: 'test.output' },
      ],
      ['a.value -> h.value', 'h.value -> o.value'],
    );
    const ac = new AbortController();
    const events: RunEvent[] = [];
    const started = performance.now();
    const pending = engine.run(d, {
      signal: ac.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'node_executing' && e.nodeId === 'h') setTimeout(() => ac.abort(), 20);
      },
    });
    const r = await pending;
    expect(performance.now() - started).toBeLessThan(1000);
    expect(r.status).toBe('interrupted');
    expect(events.at(-1)).toMatchObject({ type: 'interrupted', nodeId: 'h' });
    expect(checkEventOrder(events)).toEqual([]);
  });

  it('stops a cooperative long node between steps and reports progress before that', async () => {
    const { engine } = setup();
    const d = doc(
      [
        { id: 'a', type: 'test.number' },
        { id: 's', type: 'test.slow', params: { steps: 200, stepMs: 5 } },
        { id: 'o', type: 'test.output' },
      ],
      ['a.value -> s.value', 's.value -> o.value'],
    );
    const ac = new AbortController();
    const events: RunEvent[] = [];
    const r = await engine.run(d, {
      signal: ac.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'progress' && e.value === 3) ac.abort();
      },
    });
    expect(r.status).toBe('interrupted');
    const progress = events.filter((e) => e.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.length).toBeLessThan(10);
    expect(checkEventOrder(events)).toEqual([]);
    // The interrupted node left nothing in the cache: a new run executes it again.
    const again = await engine.run(
      doc(
        [
          { id: 'a', type: 'test.number' },
          { id: 's', type: 'test.slow', params: { steps: 2, stepMs: 1 } },
          { id: 'o', type: 'test.output' },
        ],
        ['a.value -> s.value', 's.value -> o.value'],
      ),
    );
    expect(again.status).toBe('success');
  });

  it('reports node failures on the node and input, without stack traces, and validation failures all at once', async () => {
    const { engine } = setup();
    const events: RunEvent[] = [];
    const d = doc(
      [
        { id: 'a', type: 'test.number', params: { value: -1 } },
        { id: 'f', type: 'test.fail' },
        { id: 'o', type: 'test.output' },
      ],
      ['a.value -> f.value', 'f.value -> o.value'],
    );
    const r = await engine.run(d, { onEvent: (e) => events.push(e) });
    expect(r.status).toBe('error');
    const last = events.at(-1)!;
    expect(last).toMatchObject({
      type: 'error',
      nodeId: 'f',
      input: 'value',
      code: 'NODE_FAILED',
      message: 'value must be >= 0',
    });
    expect(JSON.stringify(events)).not.toMatch(/at .*\.ts:\d+/);
    expect(checkEventOrder(events)).toEqual([]);

    const invalid: RunEvent[] = [];
    await engine.run(
      doc(
        [
          { id: 'x', type: 'test.add', params: { bias: 'no' } },
          { id: 'o', type: 'test.output' },
        ],
        ['x.sum -> o.value'],
      ),
      { onEvent: (e) => invalid.push(e) },
    );
    const err = invalid.at(-1)!;
    expect(err.type).toBe('error');
    if (err.type === 'error') expect(err.errors?.map((e) => e.code).sort()).toEqual(['INVALID_PARAM', 'MISSING_INPUT']);
    expect(checkEventOrder(invalid)).toEqual([]);
  });

  it('keeps the cache within its byte budget by evicting least recently used entries', async () => {
    const cache = new OutputCache({ maxBytes: 2000 });
    const { engine, runs } = setup(cache);
    for (let i = 0; i < 50; i++) {
      await engine.run(
        doc(
          [
            { id: 't', type: 'test.text', params: { text: `value ${i} `.repeat(20) } },
            { id: 'o', type: 'test.output' },
          ],
          ['t.text -> o.value'],
        ),
      );
      expect(cache.bytes).toBeLessThanOrEqual(2000);
    }
    runs.clear();
    await engine.run(
      doc(
        [
          { id: 't', type: 'test.text', params: { text: `value 0 `.repeat(20) } },
          { id: 'o', type: 'test.output' },
        ],
        ['t.text -> o.value'],
      ),
    );
    expect(runs.get('t')).toBe(1); // evicted long ago
  });
});

describe('checkEventOrder', () => {
  it('flags out-of-order sequences', () => {
    const base = { runId: 'r', time: 0 };
    expect(checkEventOrder([{ ...base, seq: 0, type: 'node_executing', nodeId: 'a' }])).not.toEqual([]);
    expect(
      checkEventOrder([
        { ...base, seq: 0, type: 'run_started', nodes: ['a'], cached: [], targets: ['a'] },
        { ...base, seq: 1, type: 'progress', nodeId: 'a', value: 1, max: 2 },
        { ...base, seq: 2, type: 'success', executed: ['a'], cached: [], durationMs: 1 },
      ]),
    ).toContain('progress for a outside its execution');
  });
});

describe('Engine on a large generated graph', () => {
  it('runs 1,000 nodes / 2,000 edges, then re-runs fully from cache', async () => {
    const { generateGraph } = await import('./testing/index.js');
    const { engine, runs } = setup();
    const d = generateGraph(1000, 2000, 3);
    expect(d.edges).toHaveLength(2000);
    const events: RunEvent[] = [];
    const first = await engine.run(d, { onEvent: (e) => events.push(e) });
    expect(first.status).toBe('success');
    expect(first.executed).toHaveLength(1000);
    expect(checkEventOrder(events)).toEqual([]);
    runs.clear();
    const again = await engine.run(d);
    expect(runs.size).toBe(0);
    expect(again.outputs.get('out')).toEqual(first.outputs.get('out'));
  });
});
