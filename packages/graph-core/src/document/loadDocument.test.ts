import { describe, expect, it } from 'vitest';
import { NodeRegistry } from '../NodeRegistry.js';
import { createTestRegistry } from '../testing/index.js';
import { loadDocument } from './loadDocument.js';

const { registry } = createTestRegistry();

describe('loadDocument', () => {
  it('loads a current document and fills defaults', () => {
    const r = loadDocument(
      JSON.stringify({ schemaVersion: 2, nodes: [{ id: 'a', type: 'test.number', typeVersion: 1 }] }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.metadata.name).toBe('Untitled workflow');
    expect(r.value.edges).toEqual([]);
    expect(r.value.nodes[0]!.params).toEqual({});
    // Saved by an editor that writes a byte-order mark: the same document.
    expect(loadDocument(`\uFEFF${JSON.stringify({ schemaVersion: 3, nodes: [] })}`).ok).toBe(true);
  });

  it('migrates a version-1 document forward step by step, including node params', () => {
    const v1 = {
      version: 1,
      name: 'old swap',
      tags: ['legacy'],
      nodes: [
        { id: 1, type: 'test.number', pos: [10, 20], params: { value: 2 } },
        { id: 2, type: 'test.add', version: 1, params: { offset: 5 } },
        { id: 3, type: 'test.output' },
      ],
      links: [
        [1, 'value', 2, 'a'],
        [2, 'sum', 3, 'value'],
      ],
    };
    const r = loadDocument(v1, { registry });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const doc = r.value;
    expect(doc.schemaVersion).toBe(3);
    expect(doc.metadata).toMatchObject({ name: 'old swap', tags: ['legacy'] });
    expect(doc.nodes[0]).toMatchObject({
      id: '1',
      typeVersion: 1,
      params: { value: 2 },
      ui: { position: { x: 10, y: 20 } },
    });
    // test.add v1 -> v2 renamed `offset` to `bias`.
    expect(doc.nodes[1]).toMatchObject({ id: '2', typeVersion: 2, params: { bias: 5 } });
    expect(doc.nodes[1]!.params).not.toHaveProperty('offset');
    expect(doc.edges[1]).toMatchObject({ from: { node: '2', output: 'sum' }, to: { node: '3', input: 'value' } });
  });

  it('answers structured errors for bad input and never throws', () => {
    const cases: [unknown, string][] = [
      ['{not json', 'INVALID_JSON'],
      ['null', 'INVALID_DOCUMENT'],
      [[], 'INVALID_DOCUMENT'],
      [{ schemaVersion: 99, nodes: [] }, 'UNSUPPORTED_SCHEMA_VERSION'],
      [{ schemaVersion: 2, nodes: [{ id: '', type: 'x', typeVersion: 1 }] }, 'INVALID_DOCUMENT'],
      [{ schemaVersion: 2, nodes: 'many' }, 'INVALID_DOCUMENT'],
      [{ version: 1, nodes: [{ id: {}, type: 3 }] }, 'INVALID_DOCUMENT'],
      ['x'.repeat(17 * 1024 * 1024), 'INVALID_DOCUMENT'],
    ];
    for (const [input, code] of cases) {
      const r = loadDocument(input, { registry });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]!.code).toBe(code);
    }
  });

  it('points schema errors at the offending path', () => {
    const r = loadDocument({ schemaVersion: 2, nodes: [{ id: 'a', type: 'test.number', typeVersion: 0 }] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]!.path).toEqual(['nodes', 0, 'typeVersion']);
  });

  it('reports a node type migration that is missing', () => {
    const r = loadDocument(
      {
        schemaVersion: 2,
        nodes: [
          { id: 'a', type: 'test.output', typeVersion: 1 },
          { id: 'b', type: 'test.add', typeVersion: 1, params: {} },
        ],
      },
      { registry },
    );
    expect(r.ok).toBe(true); // test.add has a v1 migration
    const broken = loadDocument(
      { schemaVersion: 2, nodes: [{ id: 'z', type: 'test.add', typeVersion: 1, params: { offset: 1 } }] },
      {
        registry: new NodeRegistry(registry.list().map((d) => (d.type === 'test.add' ? { ...d, migrations: {} } : d))),
      },
    );
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.errors[0]).toMatchObject({ code: 'MIGRATION_FAILED', nodeId: 'z' });
  });
});
