import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyNodeModes } from './applyNodeModes.js';
import { z } from 'zod';
import { Engine } from './Engine.js';
import { defineNode } from './NodeDefinition.js';
import { NodeRegistry } from './NodeRegistry.js';
import { loadDocument } from './document/loadDocument.js';
import type { WorkflowDocument } from './document/WorkflowDocument.js';
import { createTestRegistry, doc } from './testing/index.js';
import { validateGraph } from './validateGraph.js';

// a -> add1.a, b -> add1.b, add1 -> add2 -> out; c -> side
const chain = (bypass: readonly string[], add2Params: Record<string, unknown> = { bias: 5 }) =>
  doc(
    [
      { id: 'a', type: 'test.number', params: { value: 1 } },
      { id: 'b', type: 'test.number', params: { value: 10 } },
      { id: 'add1', type: 'test.add' },
      { id: 'add2', type: 'test.add', params: add2Params },
      { id: 'out', type: 'test.output' },
      { id: 'c', type: 'test.number', params: { value: 7 } },
      { id: 'side', type: 'test.output' },
    ].map((n) => (bypass.includes(n.id) ? { ...n, mode: 'bypass' as const } : n)),
    ['a.value -> add1.a', 'b.value -> add1.b', 'add1.sum -> add2.a', 'add2.sum -> out.value', 'c.value -> side.value'],
  );

describe('bypassed nodes (ComfyUI Ctrl+B)', () => {
  it('do not run: each output passes on the first input of its type, through chains of bypassed nodes', async () => {
    const { registry, runs } = createTestRegistry();
    const engine = new Engine(registry);
    expect((await engine.run(chain([]))).outputs.get('out')).toEqual({ value: 16 });
    const one = await engine.run(chain(['add2']));
    expect(one.status).toBe('success');
    expect(one.outputs.get('out')).toEqual({ value: 11 }); // add1's sum, add2's bias never added
    expect(one.executed).not.toContain('add2');
    const two = await engine.run(chain(['add1', 'add2']));
    expect(two.outputs.get('out')).toEqual({ value: 1 }); // add1's first NUMBER input: a
    expect(runs.get('add2')).toBe(1); // only the run where it was not bypassed
  });

  it('pass on every link of a multi input, through a diamond of bypassed nodes', async () => {
    const { registry } = createTestRegistry();
    const diamond = doc(
      [
        { id: 'a', type: 'test.number', params: { value: 3 } },
        { id: 'y', type: 'test.sum', mode: 'bypass' },
        { id: 'x', type: 'test.sum', mode: 'bypass' },
        { id: 's', type: 'test.sum' },
        { id: 'out', type: 'test.output' },
      ],
      [
        'a.value -> y.values',
        'y.total -> x.values',
        'y.total -> x.values',
        'x.total -> s.values',
        's.total -> out.value',
      ],
    );
    const r = await new Engine(registry).run(diamond);
    expect(r.outputs.get('out')).toEqual({ value: 6 }); // a reaches s twice
  });

  it('have no problems of their own: invalid params of a bypassed node block nothing', () => {
    const { registry } = createTestRegistry();
    expect(validateGraph(chain([], { bias: 'x' }), registry).ok).toBe(false);
    expect(validateGraph(chain(['add2'], { bias: 'x' }), registry)).toMatchObject({ ok: true, errors: [] });
  });

  it('cut a link they have nothing of its type for: a required input says which bypassed node left it empty', () => {
    const { registry } = createTestRegistry();
    // a has no inputs: add1.a is left with nothing; add1.b still has b.
    const report = validateGraph(chain(['a']), registry);
    expect(report.errors).toEqual([
      expect.objectContaining({
        code: 'BYPASSED_INPUT',
        nodeId: 'add1',
        input: 'a',
        message: 'required input "a" (NUMBER) comes from bypassed node "a", which has no NUMBER input to pass on',
      }),
    ]);
  });

  it('a node asked for by name that its mode takes out says why it does not run', async () => {
    const { registry } = createTestRegistry();
    const asked = async (g: ReturnType<typeof chain>, id: string) =>
      (await new Engine(registry).run(g, { outputs: [id] })).errors.map((e) => e.message);
    expect(await asked(chain(['add2']), 'add2')).toEqual(['requested node "add2" does not run: it is bypassed']);
    const muted = {
      ...chain([]),
      nodes: chain([]).nodes.map((n) => (n.id === 'add1' ? { ...n, mode: 'mute' as const } : n)),
    };
    expect(await asked(muted, 'add1')).toEqual(['requested node "add1" does not run: it is muted']);
    expect(await asked(muted, 'out')).toEqual([
      'requested node "out" does not run: a muted node upstream silences it (required input "value" comes from muted node "add1")',
    ]);
    expect(await asked(chain([]), 'nope')).toEqual(['requested output node "nope" is not in the graph']);
  });

  it('a bypassed output node is not an output: the run makes the others', async () => {
    const { registry } = createTestRegistry();
    const r = await new Engine(registry).run(chain(['out']));
    expect(r.status).toBe('success');
    expect([...r.outputs.keys()]).toEqual(['side']);
  });

  it('the mode is saved with the node and read back; any other mode is refused', () => {
    const saved = JSON.stringify(chain(['add2']));
    const loaded = loadDocument(saved);
    expect(loaded.ok && loaded.value.nodes.find((n) => n.id === 'add2')!.mode).toBe('bypass');
    const other = JSON.parse(saved);
    other.nodes[3].mode = 'never';
    expect(loadDocument(JSON.stringify(other))).toMatchObject({ ok: false, errors: [{ code: 'INVALID_DOCUMENT' }] });
  });
});

describe('muted nodes (ComfyUI Ctrl+M)', () => {
  const muting = (ids: readonly string[], base = chain([])) => ({
    ...base,
    nodes: base.nodes.map((n) => (ids.includes(n.id) ? { ...n, mode: 'mute' as const } : n)),
  });

  it('do not run, nor does what needs them: muting a branch turns it off and the rest runs', async () => {
    const { registry, runs } = createTestRegistry();
    const r = await new Engine(registry).run(muting(['add1']));
    expect(r.status).toBe('success');
    expect([...r.outputs.keys()]).toEqual(['side']);
    expect(r.executed.sort()).toEqual(['c', 'side']);
    expect(runs.get('add1')).toBeUndefined();
    // Each node that falls silent says which muted node it answers to; nothing blocks.
    const report = validateGraph(muting(['add1']), registry);
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => [w.code, w.nodeId, w.input])).toEqual([
      ['MUTED_INPUT', 'add2', 'a'],
      ['MUTED_INPUT', 'out', 'value'],
    ]);
    expect(report.warnings[0]!.message).toBe('does not run: required input "a" comes from muted node "add1"');
    expect(report.warnings[1]!.message).toContain('muted node "add1"');
  });

  it('an optional input merely loses the link, and a muted output node is simply not an output', async () => {
    const { registry } = createTestRegistry();
    const r = await new Engine(registry).run(muting(['b', 'side']));
    expect(r.outputs.get('out')).toEqual({ value: 6 }); // add1 = a alone, add2 adds 5
    expect([...r.outputs.keys()]).toEqual(['out']);
    expect(validateGraph(muting(['b', 'side']), registry).warnings).toEqual([]);
  });

  it('silence passes through a bypassed node, and muting every output leaves a graph with none', () => {
    const { registry } = createTestRegistry();
    const through = {
      ...muting(['add1']),
      nodes: muting(['add1']).nodes.map((n) => (n.id === 'add2' ? { ...n, mode: 'bypass' as const } : n)),
    };
    const report = validateGraph(through, registry);
    expect(report.ok).toBe(true);
    expect(report.warnings.map((w) => [w.nodeId, w.code])).toEqual([['out', 'MUTED_INPUT']]);
    expect(validateGraph(muting(['out', 'side']), registry).errors).toEqual([
      expect.objectContaining({
        code: 'NO_OUTPUT',
        message: 'every output node is bypassed or muted, or needs a muted node, so running the graph would do nothing',
      }),
    ]);
  });

  it('a multi input keeps its other links', async () => {
    const { registry } = createTestRegistry();
    const sum = doc(
      [
        { id: 'a', type: 'test.number', params: { value: 3 } },
        { id: 'b', type: 'test.number', params: { value: 4 }, mode: 'mute' },
        { id: 's', type: 'test.sum' },
        { id: 'out', type: 'test.output' },
      ],
      ['a.value -> s.values', 'b.value -> s.values', 's.total -> out.value'],
    );
    expect((await new Engine(registry).run(sum)).outputs.get('out')).toEqual({ value: 3 });
  });

  it("a block node's mode holds for every node inside it", async () => {
    const { registry } = createTestRegistry();
    const inner = chain([]);
    const block = (mode?: 'bypass' | 'mute'): WorkflowDocument => {
      const loaded = loadDocument(
        JSON.stringify({
          ...inner,
          nodes: [
            { id: 'x', type: 'test.number', typeVersion: 1, params: { value: 2 } },
            { id: 'blk', type: 'subgraph:plus', typeVersion: 1, params: {}, ...(mode ? { mode } : {}) },
            { id: 'out', type: 'test.output', typeVersion: 1, params: {} },
          ],
          edges: [
            { from: { node: 'x', output: 'value' }, to: { node: 'blk', input: 'in' } },
            { from: { node: 'blk', output: 'sum' }, to: { node: 'out', input: 'value' } },
          ],
          subgraphs: [
            {
              id: 'plus',
              name: 'Plus',
              nodes: [{ id: 'add', type: 'test.add', typeVersion: 1, params: { bias: 100 } }],
              edges: [],
              inputs: [{ name: 'in', type: 'NUMBER', targets: [{ node: 'add', input: 'a' }] }],
              outputs: [{ name: 'sum', type: 'NUMBER', from: { node: 'add', output: 'sum' } }],
              params: [],
            },
          ],
        }),
      );
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
      return loaded.value;
    };
    const run = (mode?: 'bypass' | 'mute') => new Engine(registry).run(block(mode));
    expect((await run()).outputs.get('out')).toEqual({ value: 102 });
    expect((await run('bypass')).outputs.get('out')).toEqual({ value: 2 });
    const muted = await run('mute');
    expect(muted.status).toBe('error');
    expect(muted.errors.map((e) => e.code)).toEqual(['NO_OUTPUT']);
    const report = validateGraph(block('mute'), registry);
    expect(report.warnings).toEqual([
      expect.objectContaining({
        nodeId: 'out',
        message: 'does not run: required input "value" comes from muted node "blk"',
      }),
    ]);
  });
});

describe('node modes on long chains (a client may send 10,000 nodes)', () => {
  /** number -> add x (n - 1) -> out, listed backwards (the worst order for a walk that goes forwards). */
  const chain = (n: number, mode: 'bypass' | 'mute') => {
    const nodes: { id: string; type: string; mode?: 'bypass' | 'mute' }[] = [
      { id: 'n0', type: 'test.number', ...(mode === 'mute' ? { mode } : {}) },
    ];
    const edges: string[] = [];
    for (let i = 1; i < n; i++) {
      nodes.push({ id: `n${i}`, type: 'test.add', ...(mode === 'bypass' ? { mode } : {}) });
      edges.push(`n${i - 1}.${i === 1 ? 'value' : 'sum'} -> n${i}.a`);
    }
    nodes.push({ id: 'out', type: 'test.output' });
    edges.push(`n${n - 1}.sum -> out.value`);
    return doc(nodes.reverse(), edges);
  };

  it('a chain of bypassed nodes passes its first input through, however long (no call-stack walk)', () => {
    const { registry } = createTestRegistry();
    const { doc: left } = applyNodeModes(chain(9_000, 'bypass'), registry);
    expect(left.nodes.map((n) => n.id).sort()).toEqual(['n0', 'out']);
    expect(left.edges.map((e) => `${e.from.node}.${e.from.output} -> ${e.to.node}`)).toEqual(['n0.value -> out']);
    expect(validateGraph(chain(9_000, 'bypass'), registry).ok).toBe(true);
  });

  it('silence runs down a chain listed backwards, each node once', () => {
    const { registry } = createTestRegistry();
    const { doc: left, mutedWith } = applyNodeModes(chain(9_000, 'mute'), registry);
    expect(left.nodes).toEqual([]);
    expect(mutedWith).toHaveLength(9_000); // n1 ... n8999 and out, each found once
    expect(new Set(mutedWith.map((m) => m.muted))).toEqual(new Set(['n0']));
  });
});

describe('node modes on random graphs', () => {
  /** Each test node type's output (an output node has none). */
  const kinds = {
    'test.number': { out: 'value' },
    'test.add': { out: 'sum' },
    'test.sum': { out: 'total' },
    'test.output': { out: undefined },
  } as const;
  type Kind = keyof typeof kinds;
  // Mostly a DAG (each input fed from earlier nodes, the last node an output) so that many graphs
  // run; a few stray links may close a cycle or double a single input, which validation refuses.
  const graph = fc
    .record({
      nodes: fc.array(
        fc.record({
          type: fc.constantFrom('test.number', 'test.number', 'test.add', 'test.sum', 'test.output'),
          mode: fc.constantFrom(undefined, undefined, undefined, 'bypass' as const, 'mute' as const),
        }),
        { minLength: 1, maxLength: 10 },
      ),
      picks: fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
      stray: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 2 }),
    })
    .map(({ nodes, picks, stray }) => {
      const list: { id: string; type: Kind; mode?: 'bypass' | 'mute' }[] = [
        { id: 'n0', type: 'test.number' },
        ...nodes.map((n, i) => ({ id: `n${i + 1}`, type: n.type as Kind, ...(n.mode ? { mode: n.mode } : {}) })),
        { id: 'out', type: 'test.output' },
      ];
      let p = 0;
      const pick = () => picks[p++ % picks.length]!;
      const edges: string[] = [];
      const link = (from: (typeof list)[number], to: string) =>
        edges.push(`${from.id}.${kinds[from.type].out} -> ${to}`);
      list.forEach((node, i) => {
        const earlier = list.slice(0, i).filter((n) => kinds[n.type].out);
        if (!earlier.length) return;
        const from = () => earlier[pick() % earlier.length]!;
        if (node.type === 'test.add') {
          link(from(), `${node.id}.a`);
          if (pick() % 2) link(from(), `${node.id}.b`);
        } else if (node.type === 'test.sum') for (let k = pick() % 4; k > 0; k--) link(from(), `${node.id}.values`);
        else if (node.type === 'test.output') link(from(), `${node.id}.value`);
      });
      const sums = list.filter((n) => n.type === 'test.sum');
      const sources = list.filter((n) => kinds[n.type].out);
      for (const [f, t] of stray)
        if (sums.length) link(sources[f % sources.length]!, `${sums[t % sums.length]!.id}.values`);
      return doc(list, edges);
    });

  it('never throw; no bypassed or muted node, nor one silenced with them, is left to run (500 graphs)', async () => {
    const { registry } = createTestRegistry();
    let ran = 0;
    let silenced = 0;
    await fc.assert(
      fc.asyncProperty(graph, async (g) => {
        const moded = new Set(g.nodes.filter((n) => n.mode).map((n) => n.id));
        const { doc: left, mutedWith } = applyNodeModes(g, registry);
        const ids = new Set(left.nodes.map((n) => n.id));
        for (const id of [...moded, ...mutedWith.map((m) => m.node)]) expect(ids.has(id)).toBe(false);
        for (const e of left.edges) expect(ids.has(e.from.node) && ids.has(e.to.node)).toBe(true);
        const report = validateGraph(g, registry);
        const r = await new Engine(registry).run(g);
        for (const id of r.executed) expect(ids.has(id)).toBe(true);
        if (report.ok) expect(r.status).toBe('success');
        if (r.status === 'success') ran++;
        if (mutedWith.length) silenced++;
      }),
      { numRuns: 500, seed: 20261206 },
    );
    // The property is about graphs that really run and really silence nodes: enough of both.
    expect(ran).toBeGreaterThan(50);
    expect(silenced).toBeGreaterThan(25);
  });
});

describe("reroutes (pass-through nodes, ComfyUI's Reroute)", () => {
  const reroute = defineNode({
    type: 'test.reroute',
    version: 1,
    title: 'Reroute',
    category: 'util',
    description: 'a wire',
    passThrough: true,
    inputs: { input: { type: 'ANY' } },
    outputs: { output: { type: 'ANY' } },
    params: z.object({}),
    run: () => {
      throw new Error('a reroute never runs');
    },
  });
  const withReroute = () => {
    const { registry } = createTestRegistry();
    return new NodeRegistry([...registry.list(), reroute]);
  };
  const graph = (into: string, from = 'a.value') =>
    doc(
      [
        { id: 'a', type: 'test.number', params: { value: 4 } },
        { id: 't', type: 'test.text' },
        { id: 'r1', type: 'test.reroute' },
        { id: 'r2', type: 'test.reroute' },
        { id: 'add', type: 'test.add' },
        { id: 'out', type: 'test.output' },
      ],
      [`${from} -> r1.input`, 'r1.output -> r2.input', `r2.output -> ${into}`, 'add.sum -> out.value'],
    );

  it('carry what feeds them through chains, never run, and keep types checked end to end', async () => {
    const registry = withReroute();
    const r = await new Engine(registry).run(graph('add.a'));
    expect(r.status).toBe('success');
    expect(r.outputs.get('out')).toEqual({ value: 4 });
    expect(r.executed).not.toContain('r1');
    // A STRING through two reroutes into a NUMBER input is the type mismatch it is.
    const bad = validateGraph(graph('add.a', 't.text'), registry);
    expect(bad.errors).toEqual([expect.objectContaining({ code: 'TYPE_MISMATCH', nodeId: 'add' })]);
  });

  it('one with nothing linked into it says so on the input it feeds', () => {
    const registry = withReroute();
    const loose = { ...graph('add.a'), edges: graph('add.a').edges.filter((e) => e.to.node !== 'r1') };
    expect(validateGraph(loose, registry).errors).toEqual([
      expect.objectContaining({
        code: 'BYPASSED_INPUT',
        nodeId: 'add',
        input: 'a',
        message: 'required input "a" (NUMBER) comes from reroute "r2", which has nothing linked into it',
      }),
    ]);
  });
});
