import { describe, expect, it } from 'vitest';
import { createTestRegistry, doc } from './testing/index.js';
import { validateGraph } from './validateGraph.js';

const { registry } = createTestRegistry();
const codes = (r: ReturnType<typeof validateGraph>) => r.errors.map((e) => e.code).sort();

describe('validateGraph', () => {
  it('accepts a valid graph and applies param defaults', () => {
    const r = validateGraph(
      doc(
        [
          { id: 'a', type: 'test.number' },
          { id: 'o', type: 'test.output' },
        ],
        ['a.value -> o.value'],
      ),
      registry,
    );
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.params.get('a')).toEqual({ value: 0 });
    expect(r.outputNodes).toEqual(['o']);
  });

  it('returns every problem at once, each tied to its node and input or param', () => {
    const d = doc(
      [
        { id: 'a', type: 'test.number', params: { value: 'five' } },
        { id: 'a', type: 'test.number' },
        { id: 't', type: 'test.text', params: { mode: 'shout' } },
        { id: 'add', type: 'test.add' },
        { id: 'ghost', type: 'vendor.mystery', params: { x: 1 } },
        { id: 'o', type: 'test.output' },
      ],
      ['t.text -> add.a', 'missing.value -> o.value', 'a.nope -> add.b', 'a.value -> add.c'],
    );
    const r = validateGraph(d, registry);
    expect(r.ok).toBe(false);
    expect(codes(r)).toEqual(
      [
        'DANGLING_EDGE',
        'DUPLICATE_NODE_ID',
        'INVALID_PARAM',
        'INVALID_PARAM',
        'MISSING_INPUT',
        'TYPE_MISMATCH',
        'UNKNOWN_INPUT',
        'UNKNOWN_NODE_TYPE',
        'UNKNOWN_OUTPUT',
      ].sort(),
    );
    expect(r.errors.find((e) => e.code === 'TYPE_MISMATCH')).toMatchObject({ nodeId: 'add', input: 'a' });
    expect(r.errors.find((e) => e.code === 'INVALID_PARAM' && e.nodeId === 't')).toMatchObject({ param: 'mode' });
    expect(r.errors.find((e) => e.code === 'INVALID_PARAM' && e.nodeId === 'a')).toMatchObject({ param: 'value' });
    expect(r.errors.find((e) => e.code === 'MISSING_INPUT')).toMatchObject({ nodeId: 'o', input: 'value' });
    expect(r.errors.find((e) => e.code === 'UNKNOWN_NODE_TYPE')).toMatchObject({
      nodeId: 'ghost',
      nodeType: 'vendor.mystery',
    });
  });

  it('knows only the sockets a node declares, not names every object inherits', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      const r = validateGraph(
        doc(
          [
            { id: 'a', type: 'test.number' },
            { id: 'o', type: 'test.output' },
          ],
          ['a.value -> o.value', `a.${name} -> o.${name}`],
        ),
        registry,
      );
      expect([name, codes(r)]).toEqual([name, ['UNKNOWN_INPUT', 'UNKNOWN_OUTPUT']]);
      expect(r.errors.find((e) => e.code === 'UNKNOWN_OUTPUT')).toMatchObject({ nodeId: 'a', output: name });
    }
  });

  it('finds cycles, out-of-range params, second links, versions too new and graphs without outputs', () => {
    const cyc = validateGraph(
      doc(
        [
          { id: 'x', type: 'test.add' },
          { id: 'y', type: 'test.add' },
          { id: 'o', type: 'test.output' },
        ],
        ['x.sum -> y.a', 'y.sum -> x.a', 'y.sum -> o.value'],
      ),
      registry,
    );
    expect(
      cyc.errors
        .filter((e) => e.code === 'CYCLE')
        .map((e) => e.nodeId)
        .sort(),
    ).toEqual(['x', 'y']);

    const range = validateGraph(
      doc(
        [
          { id: 's', type: 'test.slow', params: { steps: 0 } },
          { id: 'o', type: 'test.output' },
        ],
        ['s.value -> o.value'],
      ),
      registry,
    );
    expect(range.errors.find((e) => e.code === 'INVALID_PARAM')).toMatchObject({ nodeId: 's', param: 'steps' });

    const twice = validateGraph(
      doc(
        [
          { id: 'a', type: 'test.number' },
          { id: 'b', type: 'test.number' },
          { id: 'o', type: 'test.output' },
        ],
        ['a.value -> o.value', 'b.value -> o.value'],
      ),
      registry,
    );
    expect(codes(twice)).toEqual(['MULTIPLE_LINKS']);

    const newer = validateGraph(
      doc(
        [
          { id: 'a', type: 'test.number', typeVersion: 7 },
          { id: 'o', type: 'test.output' },
        ],
        ['a.value -> o.value'],
      ),
      registry,
    );
    expect(codes(newer)).toEqual(['NODE_VERSION_TOO_NEW']);

    expect(codes(validateGraph(doc([{ id: 'a', type: 'test.number' }]), registry))).toEqual(['NO_OUTPUT']);
  });

  it('accepts widening connections and multi inputs, warns on unknown params', () => {
    const r = validateGraph(
      doc(
        [
          { id: 'a', type: 'test.number', params: { value: 1, legacy: true, constructor: 1, toString: 2 } },
          { id: 's', type: 'test.sum' },
          { id: 'o', type: 'test.output' },
        ],
        ['a.value -> s.values', 'a.value -> s.values', 's.total -> o.value'],
      ),
      registry,
    );
    expect(r.errors).toEqual([]);
    // Names every object inherits are unknown params too.
    expect(r.warnings).toMatchObject(
      ['legacy', 'constructor', 'toString'].map((param) => ({ code: 'UNKNOWN_PARAM', nodeId: 'a', param })),
    );
  });
});
