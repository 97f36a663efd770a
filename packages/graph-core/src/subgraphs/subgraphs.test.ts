import { describe, expect, it } from 'vitest';
import { buildCatalogue } from '../catalogue.js';
import { loadDocument } from '../document/loadDocument.js';
import type { Subgraph, WorkflowDocument } from '../document/WorkflowDocument.js';
import { Engine } from '../Engine.js';
import type { RunEvent } from '../events.js';
import { OutputCache } from '../OutputCache.js';
import { createTestRegistry, doc } from '../testing/index.js';
import { validateGraph } from '../validateGraph.js';
import { blockEntries } from './blockEntries.js';
import { flattenSubgraphs } from './flattenSubgraphs.js';
import { foldNodes, planFold } from './foldNodes.js';
import { unfoldNode } from './unfoldNode.js';

// a -> add1 -> add2 -> out; b -> add1.b; add2 also feeds side
const graph = () =>
  doc(
    [
      { id: 'a', type: 'test.number', params: { value: 1 } },
      { id: 'b', type: 'test.number', params: { value: 10 } },
      { id: 'add1', type: 'test.add', params: { bias: 2 } },
      { id: 'add2', type: 'test.add', params: { bias: 3 } },
      { id: 'out', type: 'test.output' },
      { id: 'side', type: 'test.output', params: { label: 'side' } },
    ],
    ['a.value -> add1.a', 'b.value -> add1.b', 'add1.sum -> add2.a', 'add2.sum -> out.value', 'add2.sum -> side.value'],
  );

const fold = (d: WorkflowDocument, ids: string[], params: Subgraph['params'] = []) => {
  const r = foldNodes(d, ids, { name: 'Two adds', params });
  if (!r.ok) throw new Error(r.errors[0]!.message);
  return r.value;
};

async function runAll(engine: Engine, d: WorkflowDocument) {
  const events: RunEvent[] = [];
  const result = await engine.run(d, { onEvent: (e) => events.push(e) });
  return { result, events };
}

describe('blocks (subgraphs)', () => {
  it('a folded selection runs to the same values with the same cache keys as before folding', async () => {
    const { registry, runs } = createTestRegistry();
    const engine = new Engine(registry, { cache: new OutputCache() });
    const before = graph();
    const plain = await runAll(engine, before);
    expect(plain.result.status).toBe('success');
    const { doc: folded, nodeId } = fold(before, ['add1', 'add2']);
    expect(folded.nodes.map((n) => n.id)).toEqual(['a', 'b', 'out', 'side', nodeId]);
    expect(folded.subgraphs![0]!.inputs.map((i) => i.name)).toEqual(['a', 'b']);
    expect(folded.subgraphs![0]!.outputs.map((o) => o.name)).toEqual(['sum']);
    runs.clear();
    const again = await runAll(engine, folded);
    expect(again.result.status).toBe('success');
    // Every node came from the cache: the flattened graph has the unfolded graph's signatures.
    expect(again.result.executed).toEqual([]);
    expect(runs.size).toBe(0);
    expect(again.result.outputs.get('out')).toEqual(plain.result.outputs.get('out'));
    expect(plain.result.outputs.get('out')).toEqual({ value: 1 + 10 + 2 + 3 });

    // A fresh engine computes the same values through the block's inner nodes.
    const fresh = await runAll(new Engine(registry), folded);
    expect(fresh.result.outputs.get('side')).toEqual({ value: 16 });
    expect(fresh.result.executed).toContain(`${nodeId}/add1`);
  });

  it('exposed params set on the block node override the inner params; unfolding writes them back', async () => {
    const { registry } = createTestRegistry();
    const { doc: folded, nodeId } = fold(graph(), ['add1', 'add2'], [{ name: 'bias', node: 'add2', param: 'bias' }]);
    folded.nodes.find((n) => n.id === nodeId)!.params = { bias: 100 };
    const r = await new Engine(registry).run(folded);
    expect(r.outputs.get('out')).toEqual({ value: 1 + 10 + 2 + 100 });

    const unfolded = unfoldNode(folded, nodeId);
    expect(unfolded.ok).toBe(true);
    if (!unfolded.ok) return;
    const back = unfolded.value.doc;
    expect(back.nodes.find((n) => n.id === 'add2')!.params).toEqual({ bias: 100 });
    const r2 = await new Engine(registry).run(back);
    expect(r2.outputs.get('out')).toEqual(r.outputs.get('out'));
    expect(validateGraph(back, registry).ok).toBe(true);
  });

  it('saves as schema version 3 and a version-2 document loads unchanged', () => {
    const { doc: folded } = fold(graph(), ['add1']);
    const loaded = loadDocument(JSON.stringify(folded));
    expect(loaded.ok && loaded.value.subgraphs?.[0]?.nodes.map((n) => n.id)).toEqual(['add1']);
    const v2 = { ...graph(), schemaVersion: 2 };
    const old = loadDocument(JSON.stringify(v2));
    expect(old.ok).toBe(true);
    if (old.ok) expect(old.value).toEqual({ ...graph(), schemaVersion: 3 });
  });

  it('reports problems inside a block on the block node, by the socket or param it exposes', () => {
    const { registry } = createTestRegistry();
    const { doc: folded, nodeId } = fold(graph(), ['add1', 'add2'], [{ name: 'offset', node: 'add2', param: 'bias' }]);
    // Unplug the block's input `a`, and give the exposed param a wrong type.
    folded.edges = folded.edges.filter((e) => !(e.to.node === nodeId && e.to.input === 'a'));
    folded.nodes.find((n) => n.id === nodeId)!.params = { offset: 'lots', nope: 1 };
    const report = validateGraph(folded, registry);
    const byCode = Object.fromEntries([...report.errors, ...report.warnings].map((e) => [e.code, e]));
    expect(byCode.MISSING_INPUT).toMatchObject({ nodeId, input: 'a' });
    // Exposed: told as the block's own socket and param, without the inner path.
    expect(byCode.MISSING_INPUT!.message).toMatch(/^required input "a" \(.*\) is not connected$/);
    expect(byCode.INVALID_PARAM).toMatchObject({ nodeId, param: 'offset' });
    expect(byCode.INVALID_PARAM!.message).toMatch(/^param "offset"/);
    expect(byCode.UNKNOWN_PARAM).toMatchObject({ nodeId, param: 'nope', severity: 'warning' });

    // Unlifted (an editor showing the block's inside): on the flattened ids, in the inner names.
    const flatReport = validateGraph(folded, registry, { lift: false });
    expect(flatReport.errors.find((e) => e.code === 'MISSING_INPUT')).toMatchObject({
      nodeId: `${nodeId}/add1`,
      input: 'a',
    });

    // Not exposed: the message says which inner node and param, since no field of the block shows it.
    const hidden = fold(graph(), ['add1', 'add2']);
    hidden.doc.subgraphs![0]!.nodes.find((n) => n.id === 'add2')!.params = { bias: 'lots' };
    const inner = validateGraph(hidden.doc, registry).errors.find((e) => e.code === 'INVALID_PARAM');
    expect(inner).toMatchObject({ nodeId: hidden.nodeId });
    expect(inner!.param).toBeUndefined();
    expect(inner!.message).toMatch(/^in block "Two adds", node "add2", param "bias": /);
  });

  it('refuses unknown, recursive and oversized blocks with structured errors, without throwing', () => {
    const { registry } = createTestRegistry();
    const unknown = {
      ...graph(),
      nodes: [...graph().nodes, { id: 'x', type: 'subgraph:nope', typeVersion: 1, params: {} }],
    };
    expect(validateGraph(unknown, registry).errors).toContainEqual(
      expect.objectContaining({ code: 'UNKNOWN_SUBGRAPH', nodeId: 'x' }),
    );
    const loop: Subgraph = {
      id: 'loop',
      name: 'Loop',
      description: '',
      nodes: [{ id: 'inner', type: 'subgraph:loop', typeVersion: 1, params: {} }],
      edges: [],
      inputs: [],
      outputs: [],
      params: [],
    };
    const recursive = {
      ...graph(),
      subgraphs: [loop],
      nodes: [{ id: 'l', type: 'subgraph:loop', typeVersion: 1, params: {} }],
    };
    expect(validateGraph(recursive, registry).errors[0]).toMatchObject({ code: 'INVALID_SUBGRAPH', nodeId: 'l' });
    // 8 levels of 10 uses each would be 10^8 nodes: refused by counting, before building any.
    const wide = (id: string, child: string): Subgraph => ({
      ...loop,
      id,
      nodes: Array.from({ length: 10 }, (_, i) => ({ id: `n${i}`, type: child, typeVersion: 1, params: {} })),
    });
    const levels = Array.from({ length: 8 }, (_, i) => wide(`l${i}`, i === 7 ? 'test.number' : `subgraph:l${i + 1}`));
    const huge = {
      ...graph(),
      subgraphs: levels,
      nodes: [{ id: 'h', type: 'subgraph:l0', typeVersion: 1, params: {} }],
    };
    const flat = flattenSubgraphs(huge);
    expect(flat.errors[0]).toMatchObject({ code: 'INVALID_SUBGRAPH', nodeId: 'h' });
    expect(flat.doc.nodes).toHaveLength(1);
  });

  it('bounds the links that exposed inputs fan out to through nested blocks', () => {
    const { registry } = createTestRegistry();
    // Each level's input feeds 8 uses of the level below, each listed twice: 8^4 = 4096 sums at the bottom.
    const level = (i: number): Subgraph => ({
      id: `f${i}`,
      name: `F${i}`,
      description: '',
      nodes: Array.from({ length: 8 }, (_, k) => ({
        id: `n${k}`,
        type: i === 3 ? 'test.sum' : `subgraph:f${i + 1}`,
        typeVersion: 1,
        params: {},
      })),
      edges: [],
      inputs: [
        {
          name: 'in',
          targets: Array.from({ length: 16 }, (_, k) => ({ node: `n${k % 8}`, input: i === 3 ? 'values' : 'in' })),
        },
      ],
      outputs: [],
      params: [],
    });
    // `sources` numbers all feed the block's input: sources x 4096 links once flattened.
    const fan = (sources: number) => ({
      ...graph(),
      subgraphs: Array.from({ length: 4 }, (_, i) => level(i)),
      nodes: [
        ...Array.from({ length: sources }, (_, k) => ({
          id: `a${k}`,
          type: 'test.number',
          typeVersion: 1,
          params: {},
        })),
        { id: 'f', type: 'subgraph:f0', typeVersion: 1, params: {} },
      ],
      edges: Array.from({ length: sources }, (_, k) => ({
        from: { node: `a${k}`, output: 'value' },
        to: { node: 'f', input: 'in' },
      })),
    });
    const ok = flattenSubgraphs(fan(12));
    expect(ok.errors).toEqual([]);
    expect(ok.doc.edges).toHaveLength(12 * 4096); // duplicates listed in `targets` are one link
    const over = validateGraph(fan(13), registry);
    expect(over.errors).toContainEqual(
      expect.objectContaining({ code: 'INVALID_SUBGRAPH', message: expect.stringContaining('50000 links') }),
    );
  });

  it('nests blocks and runs a block node named as the output to produce', async () => {
    const { registry } = createTestRegistry();
    const once = fold(graph(), ['add2', 'out']);
    const twice = fold(once.doc, ['add1', once.nodeId]);
    expect(twice.doc.subgraphs).toHaveLength(2);
    const r = await new Engine(registry).run(twice.doc, { outputs: [twice.nodeId] });
    expect(r.status).toBe('success');
    // The output node inside, the inner node behind its exposed output, and the block by its own id.
    expect([...r.outputs.keys()].sort()).toEqual(
      [`${twice.nodeId}/${once.nodeId}/out`, `${twice.nodeId}/${once.nodeId}/add2`, twice.nodeId].sort(),
    );
    expect(r.outputs.get(`${twice.nodeId}/${once.nodeId}/out`)).toEqual({ value: 16 });
    expect(r.outputs.get(twice.nodeId)).toEqual({ sum: 16 });
  });

  it('plans what a selection could expose and describes blocks for the editor', () => {
    const { registry } = createTestRegistry();
    const catalogue = buildCatalogue(registry);
    const byType = new Map(catalogue.nodes.map((n) => [n.type, n]));
    const shapeOf = (type: string) => {
      const e = byType.get(type);
      const props = (e?.params.properties ?? {}) as Record<string, unknown>;
      return e && { inputs: Object.keys(e.inputs), outputs: Object.keys(e.outputs), params: Object.keys(props) };
    };
    const plan = planFold(graph(), ['add2'], shapeOf);
    expect(plan.inputs.map((i) => [i.name, i.crossing])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    expect(plan.outputs.map((o) => [o.name, o.external.length])).toEqual([['sum', 2]]);
    expect(plan.params).toEqual([{ name: 'bias', node: 'add2', param: 'bias' }]);
    const { doc: folded } = fold(graph(), ['add2'], plan.params);
    const [entry] = blockEntries(folded.subgraphs!, (t) => byType.get(t));
    expect(entry).toMatchObject({
      type: 'subgraph:two-adds',
      category: 'my blocks',
      inputs: { a: { type: 'NUMBER' } },
      outputs: { sum: { type: 'NUMBER' } },
    });
    expect((entry!.params.properties as Record<string, { default: unknown }>).bias!.default).toBe(3);
    // What an unset block param shows (and runs with): the inner node's value.
    expect(entry!.defaults).toEqual({ bias: 3 });
  });
});
