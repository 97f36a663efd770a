import { describe, expect, it } from 'vitest';
import { Engine } from './Engine.js';
import { loadDocument } from './document/loadDocument.js';
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
    const muted = JSON.parse(saved);
    muted.nodes[3].mode = 'mute';
    expect(loadDocument(JSON.stringify(muted))).toMatchObject({ ok: false, errors: [{ code: 'INVALID_DOCUMENT' }] });
  });
});
