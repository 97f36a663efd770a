import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadDocument } from './document/loadDocument.js';
import { GraphErrorSchema, type GraphError } from './errors.js';
import { createTestRegistry } from './testing/index.js';
import { validateGraph } from './validateGraph.js';

const { registry } = createTestRegistry();
const types = [...registry.list().map((d) => d.type), 'unknown.type', ''];
const sockets = ['value', 'sum', 'total', 'text', 'a', 'b', 'values', 'nope'];

const id = fc.oneof(fc.constantFrom('a', 'b', 'c', 'd', 'out'), fc.string({ maxLength: 6 }));
const params = fc.oneof(
  fc.record({ value: fc.oneof(fc.double(), fc.integer(), fc.string(), fc.constant(null)) }, { requiredKeys: [] }),
  fc.record(
    {
      bias: fc.anything(),
      text: fc.oneof(fc.string(), fc.integer()),
      mode: fc.constantFrom('plain', 'upper', 'x'),
      steps: fc.integer({ min: -5, max: 2000 }),
    },
    { requiredKeys: [] },
  ),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);
const node = fc.record(
  {
    id,
    type: fc.constantFrom(...types),
    typeVersion: fc.integer({ min: -1, max: 4 }),
    params,
    // Bypassed and muted nodes reshape the graph before it is checked (cycles of them included).
    mode: fc.constantFrom('bypass', 'mute', 'bypass', 'mute', 'never'),
    ui: fc.option(fc.record({ position: fc.record({ x: fc.double(), y: fc.double() }) }), { nil: undefined }),
  },
  { requiredKeys: ['id', 'type', 'typeVersion'] },
);
const edge = fc.record({
  id: fc.option(id, { nil: undefined }),
  from: fc.record({ node: id, output: fc.constantFrom(...sockets) }),
  to: fc.record({ node: id, input: fc.constantFrom(...sockets) }),
});
const currentDoc = fc.record(
  {
    schemaVersion: fc.constantFrom(2, 2, 2, 1, 3, '2'),
    metadata: fc.option(fc.record({ name: fc.string(), tags: fc.array(fc.string(), { maxLength: 3 }) }), {
      nil: undefined,
    }),
    nodes: fc.array(node, { maxLength: 8 }),
    edges: fc.array(edge, { maxLength: 12 }),
  },
  { requiredKeys: ['schemaVersion', 'nodes'] },
);
const v1Doc = fc.record(
  {
    version: fc.constant(1),
    name: fc.option(fc.string(), { nil: undefined }),
    nodes: fc.array(
      fc.record(
        {
          id: fc.oneof(id, fc.integer()),
          type: fc.constantFrom(...types),
          pos: fc.tuple(fc.double(), fc.double()),
          params,
        },
        { requiredKeys: ['id', 'type'] },
      ),
      { maxLength: 6 },
    ),
    links: fc.array(fc.tuple(id, fc.constantFrom(...sockets), id, fc.constantFrom(...sockets)), { maxLength: 8 }),
  },
  { requiredKeys: ['version', 'nodes'] },
);

/** Structural mutations: drop a key, replace a value by junk, or wrap the whole thing. */
const mutate = (value: unknown, pick: number, junk: unknown): unknown => {
  if (value === null || typeof value !== 'object') return junk;
  const clone = structuredClone(value) as Record<string, unknown>;
  const keys = Object.keys(clone);
  if (!keys.length) return junk;
  const key = keys[pick % keys.length]!;
  if (pick % 3 === 0) delete clone[key];
  else if (pick % 3 === 1) clone[key] = junk;
  else clone[key] = mutate(clone[key], Math.floor(pick / 3), junk);
  return clone;
};

// Mostly well-formed documents with wrong wiring, so validation itself gets exercised hard.
const wellFormedNode = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd', 'out'),
  type: fc.constantFrom(...types.filter(Boolean)),
  typeVersion: fc.constantFrom(1, 1, 2, 9),
  params,
});
const wellFormedDoc = fc.record({
  schemaVersion: fc.constant(2),
  nodes: fc.array(wellFormedNode, { maxLength: 8 }),
  edges: fc.array(
    edge.map((e) => ({ ...e, id: undefined })),
    { maxLength: 12 },
  ),
});

const arbitraryInput = fc.oneof(
  { arbitrary: wellFormedDoc, weight: 5 },
  currentDoc,
  v1Doc,
  fc.tuple(currentDoc, fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([d, p, j]) => mutate(d, p, j)),
  fc.tuple(v1Doc, fc.nat(), fc.anything()).map(([d, p, j]) => mutate(d, p, j)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.anything(),
  currentDoc.map((d) => JSON.stringify(d).slice(0, -3)), // truncated JSON text
);

function expectStructured(errors: GraphError[]) {
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) expect(GraphErrorSchema.safeParse(e).success).toBe(true);
}

describe('parse + migrate + validate on generated and mutated documents', () => {
  it('never throws and rejects only with structured errors (10,000 documents)', () => {
    let loaded = 0;
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const r = loadDocument(input, { registry });
        if (!r.ok) return expectStructured(r.errors);
        loaded++;
        const report = validateGraph(r.value, registry);
        for (const e of [...report.errors, ...report.warnings])
          expect(GraphErrorSchema.safeParse(e).success).toBe(true);
        if (!report.ok) expectStructured(report.errors);
      }),
      { numRuns: 10_000, seed: 20261127 },
    );
    // The generators must reach validation often, or the property says little about it.
    expect(loaded).toBeGreaterThan(2_000);
  }, 120_000); // 10,000 documents: about 2 s on an idle machine, far more on a loaded one
});
