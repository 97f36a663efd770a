import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowRecordSchema, type WorkflowDocumentInput } from '@ptp/graph-core';
import { createNodeRegistry } from '@ptp/nodes';
import { describe, expect, it } from 'vitest';
import { openStudioDatabase } from './openStudioDatabase.js';
import { WorkflowLibrary, type LIBRARY_LIMITS } from './WorkflowLibrary.js';

const doc = (text: string, tags: string[] = []): WorkflowDocumentInput => ({
  schemaVersion: 3,
  metadata: { name: `about ${text}`, description: `a graph about ${text}`, tags },
  nodes: [
    { id: 'p', type: 'ptp.prompt', typeVersion: 1, params: { text } },
    { id: 'show', type: 'ptp.showValue', typeVersion: 1, params: {} },
  ],
  edges: [{ from: { node: 'p', output: 'prompt' }, to: { node: 'show', input: 'value' } }],
});

function open(
  file = path.join(mkdtempSync(path.join(os.tmpdir(), 'ptp-lib-')), 'studio.db'),
  tick = 1000,
  limits: Partial<typeof LIBRARY_LIMITS> = {},
) {
  let t = Date.parse('2025-01-01T00:00:00Z');
  const db = openStudioDatabase(file);
  return {
    db,
    file,
    lib: new WorkflowLibrary(db, { registry: createNodeRegistry(), now: () => new Date((t += tick)), limits }),
  };
}

describe('WorkflowLibrary (real SQLite file)', () => {
  it('keeps every version, newest first, and survives reopening the database', () => {
    const { db, file, lib } = open();
    const created = lib.create({ document: doc('cats', ['pets']) });
    if (!created.ok) throw new Error(created.error.message);
    expect(created.value).toMatchObject({ name: 'about cats', version: 1, tags: ['pets'] });
    const updated = lib.update(created.value.id, {
      document: doc('dogs'),
      name: 'Dogs now',
      tags: ['pets', 'dogs'],
      baseVersion: 1,
      note: 'renamed',
    });
    expect(updated.ok && updated.value.history.map((h) => [h.version, h.name, h.note ?? null])).toEqual([
      [2, 'Dogs now', 'renamed'],
      [1, 'about cats', null],
    ]);
    db.close();
    const again = open(file);
    const record = WorkflowRecordSchema.parse(again.lib.get(created.value.id));
    expect(record.document.nodes[0]!.params).toEqual({ text: 'dogs' });
    expect(record.document.metadata).toMatchObject({ name: 'Dogs now', tags: ['pets', 'dogs'] });
    expect(again.lib.getVersion(created.value.id, 1)!.document.nodes[0]!.params).toEqual({ text: 'cats' });
    again.db.close();
  });

  it('searches by tags (all must match, case-insensitive) and by text in name or description, literally', () => {
    const { lib } = open();
    const a = lib.create({ document: doc('cats', ['Pets', 'fur']) });
    const b = lib.create({ document: doc('dogs', ['pets']) });
    lib.create({ document: doc('100% cotton', ['textile']) });
    const ids = (q: Parameters<WorkflowLibrary['list']>[0]) =>
      lib
        .list(q)
        .workflows.map((w) => w.name)
        .sort();
    expect(ids({ tag: ['pets'], limit: 10, offset: 0 })).toEqual(['about cats', 'about dogs']);
    expect(ids({ tag: ['pets', 'FUR'], limit: 10, offset: 0 })).toEqual(['about cats']);
    expect(ids({ q: 'dog', tag: [], limit: 10, offset: 0 })).toEqual(['about dogs']);
    expect(ids({ q: '%', tag: [], limit: 10, offset: 0 })).toEqual(['about 100% cotton']); // LIKE wildcards are literal
    expect(lib.list({ tag: [], limit: 1, offset: 0 })).toMatchObject({ total: 3, workflows: [expect.anything()] });
    expect(a.ok && b.ok).toBe(true);
  });

  it('lists the newest save first, also when saves share a millisecond', () => {
    const { lib } = open(undefined, 0); // a frozen clock: every save at the same instant
    const saved = ['one', 'two', 'three', 'four'].map((t) => {
      const r = lib.create({ document: doc(t) });
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    });
    const names = () => lib.list({ tag: [], limit: 10, offset: 0 }).workflows.map((w) => w.name);
    expect(names()).toEqual(['about four', 'about three', 'about two', 'about one']);
    expect(lib.update(saved[1]!.id, { document: doc('two again'), baseVersion: 1 }).ok).toBe(true);
    expect(names()).toEqual(['about two again', 'about four', 'about three', 'about one']);
    expect(lib.delete(saved[3]!.id)).toBe(true);
    expect(lib.update(saved[0]!.id, { document: doc('one again'), baseVersion: 1 }).ok).toBe(true);
    expect(names()).toEqual(['about one again', 'about two again', 'about three']);
  });

  it('refuses a stale or invalid save and keeps what was saved', () => {
    const { lib } = open();
    const created = lib.create({ document: doc('v1') });
    if (!created.ok) throw new Error('create failed');
    const id = created.value.id;
    expect(lib.update(id, { document: doc('v2'), baseVersion: 1 }).ok).toBe(true);
    expect(lib.update(id, { document: doc('lost'), baseVersion: 1 })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    });
    const invalid = lib.update(id, { document: { schemaVersion: 3, nodes: [{ id: 'x' }] } as never });
    expect(invalid).toMatchObject({ ok: false, error: { code: 'INVALID_DOCUMENT' } });
    expect(lib.get(id)!.version).toBe(2);
    expect(lib.get(id)!.document.nodes[0]!.params).toEqual({ text: 'v2' });
    expect(lib.update('wf_missing', { document: doc('x') })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_WORKFLOW' },
    });
  });

  it('imports older documents by migrating them, and saves half-built graphs (they need not be runnable)', () => {
    const { lib } = open();
    const unfinished = lib.create({
      document: {
        schemaVersion: 3,
        nodes: [
          { id: 'p', type: 'ptp.prompt', typeVersion: 1, params: {} },
          { id: 'u', type: 'vendor.unknown', typeVersion: 1 },
        ],
      },
    });
    expect(unfinished.ok).toBe(true);
    const v1 = lib.create({
      document: {
        version: 1,
        name: 'legacy',
        tags: ['old'],
        nodes: [
          { id: 1, type: 'ptp.prompt', params: { text: 'hi' } },
          { id: 2, type: 'ptp.showValue' },
        ],
        links: [[1, 'prompt', 2, 'value']],
      } as never,
    });
    expect(v1.ok && v1.value).toMatchObject({
      name: 'legacy',
      tags: ['old'],
      document: {
        schemaVersion: 3,
        edges: [{ from: { node: '1', output: 'prompt' }, to: { node: '2', input: 'value' } }],
      },
    });
    const newer = lib.create({ document: { schemaVersion: 99, nodes: [] } as never });
    expect(newer).toMatchObject({
      ok: false,
      error: { code: 'INVALID_DOCUMENT', errors: [expect.objectContaining({ code: 'UNSUPPORTED_SCHEMA_VERSION' })] },
    });
  });

  it('deletes a workflow with its history', () => {
    const { lib } = open();
    const created = lib.create({ document: doc('gone') });
    if (!created.ok) throw new Error('create failed');
    expect(lib.delete(created.value.id)).toBe(true);
    expect(lib.get(created.value.id)).toBeUndefined();
    expect(lib.getVersion(created.value.id, 1)).toBeUndefined();
    expect(lib.delete(created.value.id)).toBe(false);
  });

  it('keeps the last maxVersions versions of a workflow and refuses saves past the byte quota, changing nothing', () => {
    const { lib } = open(undefined, 1000, { maxVersions: 3 });
    const created = lib.create({ document: doc('v1') });
    if (!created.ok) throw new Error(created.error.message);
    for (let v = 2; v <= 5; v++) lib.update(created.value.id, { document: doc(`v${v}`) });
    const record = lib.get(created.value.id)!;
    expect(record.history.map((h) => h.version)).toEqual([5, 4, 3]);
    expect(lib.getVersion(created.value.id, 2)).toBeUndefined();

    const small = open(undefined, 1000, { maxBytes: 3000 });
    const first = small.lib.create({ document: doc('a') });
    expect(first.ok).toBe(true);
    const long = (text: string) => ({ ...doc('long'), nodes: [{ ...doc('long').nodes[0]!, params: { text } }] });
    const big = small.lib.create({ document: long('x'.repeat(3000)) });
    expect(big).toMatchObject({
      ok: false,
      error: { code: 'LIBRARY_FULL', message: expect.stringContaining('limit') },
    });
    const over = small.lib.update(first.ok ? first.value.id : '', { document: long('y'.repeat(3000)) });
    expect(over).toMatchObject({ ok: false, error: { code: 'LIBRARY_FULL' } });
    expect(small.lib.list({ tag: [], limit: 10, offset: 0 }).total).toBe(1);
    expect(small.lib.get(first.ok ? first.value.id : '')!.version).toBe(1);
  });
});
