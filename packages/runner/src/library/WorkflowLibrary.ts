import { randomUUID } from 'node:crypto';
import {
  isError,
  loadDocument,
  type NodeRegistry,
  type SaveWorkflowRequest,
  type WorkflowDocument,
  type WorkflowListResponse,
  type WorkflowRecord,
  type WorkflowSummary,
  type WorkflowVersionInfo,
  type WorkflowVersionRecord,
} from '@ptp/graph-core';
import { apiFail, apiOk, graphFailure, type ApiResult } from '../ApiResult.js';
import { migrateComponent, type StudioDatabase } from './openStudioDatabase.js';

const MIGRATIONS = [
  `CREATE TABLE workflows (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     tags TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     version INTEGER NOT NULL
   );
   CREATE TABLE workflow_versions (
     workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
     version INTEGER NOT NULL,
     saved_at TEXT NOT NULL,
     name TEXT NOT NULL,
     tags TEXT NOT NULL,
     note TEXT,
     document TEXT NOT NULL,
     PRIMARY KEY (workflow_id, version)
   );
   CREATE TABLE workflow_tags (
     workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
     tag TEXT NOT NULL COLLATE NOCASE,
     PRIMARY KEY (workflow_id, tag)
   );
   CREATE INDEX workflow_tags_by_tag ON workflow_tags(tag);`,
  // Each version's size, so the library's quota is a sum of integers, not a read of every document.
  `ALTER TABLE workflow_versions ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
   UPDATE workflow_versions SET bytes = length(CAST(document AS BLOB));`,
];

/** What one library holds at most: saves past these are refused or prune the oldest versions. */
export const LIBRARY_LIMITS = {
  /** Versions kept per workflow; a save beyond drops the oldest. */
  maxVersions: 100,
  /** Bytes of saved documents, all versions of all workflows together. */
  maxBytes: 2 * 1024 ** 3,
};

interface WorkflowRow {
  id: string;
  name: string;
  description: string;
  tags: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface WorkflowQuery {
  q?: string | undefined;
  tag: string[];
  limit: number;
  offset: number;
}

/**
 * The workflow library: named, tagged workflows with their last saved versions (LIBRARY_LIMITS). Documents are
 * migrated to the current schema on save (older files import cleanly) but are not required to
 * be runnable: a half-built graph is still worth saving. A refused save changes nothing.
 */
export class WorkflowLibrary {
  readonly #db: StudioDatabase;
  readonly #registry: NodeRegistry | undefined;
  readonly #now: () => Date;
  readonly #limits: typeof LIBRARY_LIMITS;

  constructor(
    db: StudioDatabase,
    options: { registry?: NodeRegistry; now?: () => Date; limits?: Partial<typeof LIBRARY_LIMITS> } = {},
  ) {
    this.#db = db;
    this.#registry = options.registry;
    this.#now = options.now ?? (() => new Date());
    this.#limits = { ...LIBRARY_LIMITS, ...options.limits };
    migrateComponent(db, 'workflow-library', MIGRATIONS);
  }

  list(query: WorkflowQuery): WorkflowListResponse {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.q?.trim()) {
      const like = `%${query.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push("(name LIKE ? ESCAPE '\\' OR description LIKE ? ESCAPE '\\')");
      args.push(like, like);
    }
    for (const tag of new Set(query.tag)) {
      where.push('id IN (SELECT workflow_id FROM workflow_tags WHERE tag = ?)');
      args.push(tag);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (this.#db.prepare(`SELECT COUNT(*) AS n FROM workflows ${clause}`).get(...args) as { n: number }).n;
    // Newest save first. Saves within one millisecond tie on updated_at; the rowid of a workflow's
    // last version row breaks the tie in save order (every save inserts one, ids are random).
    const rows = this.#db
      .prepare(
        `SELECT * FROM workflows ${clause} ORDER BY updated_at DESC,
           (SELECT MAX(v.rowid) FROM workflow_versions v WHERE v.workflow_id = workflows.id) DESC
         LIMIT ? OFFSET ?`,
      )
      .all(...args, query.limit, query.offset) as WorkflowRow[];
    return { workflows: rows.map(toSummary), total };
  }

  get(id: string): WorkflowRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM workflows WHERE id = ?').get(id) as WorkflowRow | undefined;
    if (!row) return undefined;
    const latest = this.#db
      .prepare('SELECT document FROM workflow_versions WHERE workflow_id = ? AND version = ?')
      .get(id, row.version) as { document: string };
    const history = this.#db
      .prepare(
        'SELECT version, saved_at, name, note FROM workflow_versions WHERE workflow_id = ? ORDER BY version DESC',
      )
      .all(id) as { version: number; saved_at: string; name: string; note: string | null }[];
    return {
      ...toSummary(row),
      document: JSON.parse(latest.document) as WorkflowDocument,
      history: history.map((h): WorkflowVersionInfo => ({
        version: h.version,
        savedAt: h.saved_at,
        name: h.name,
        ...(h.note ? { note: h.note } : {}),
      })),
    };
  }

  getVersion(id: string, version: number): WorkflowVersionRecord | undefined {
    const v = this.#db
      .prepare('SELECT * FROM workflow_versions WHERE workflow_id = ? AND version = ?')
      .get(id, version) as
      | { version: number; saved_at: string; name: string; tags: string; note: string | null; document: string }
      | undefined;
    if (!v) return undefined;
    return {
      id,
      version: v.version,
      savedAt: v.saved_at,
      name: v.name,
      tags: JSON.parse(v.tags) as string[],
      ...(v.note ? { note: v.note } : {}),
      document: JSON.parse(v.document) as WorkflowDocument,
    };
  }

  create(request: SaveWorkflowRequest): ApiResult<WorkflowRecord> {
    const prepared = this.#prepare(request);
    if (!prepared.ok) return prepared;
    const { doc, name, description, tags } = prepared.value;
    const full = this.#overQuota(doc);
    if (full) return full;
    const id = `wf_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const at = this.#now().toISOString();
    doc.id = id;
    doc.metadata = { ...doc.metadata, name, description, tags, createdAt: at, updatedAt: at };
    this.#db.transaction(() => {
      this.#db
        .prepare(
          'INSERT INTO workflows (id, name, description, tags, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, 1)',
        )
        .run(id, name, description, JSON.stringify(tags), at, at);
      this.#insertVersion(id, 1, at, name, tags, request.note, doc);
    })();
    return apiOk(this.get(id)!);
  }

  update(id: string, request: SaveWorkflowRequest): ApiResult<WorkflowRecord> {
    const row = this.#db.prepare('SELECT * FROM workflows WHERE id = ?').get(id) as WorkflowRow | undefined;
    if (!row) return apiFail('UNKNOWN_WORKFLOW', `no workflow "${id}"`);
    if (request.baseVersion !== undefined && request.baseVersion !== row.version) {
      return apiFail(
        'CONFLICT',
        `workflow "${id}" is at version ${row.version}, not ${request.baseVersion}: it was saved elsewhere meanwhile; reload it or save a copy`,
      );
    }
    const prepared = this.#prepare(request);
    if (!prepared.ok) return prepared;
    const { doc, name, description, tags } = prepared.value;
    const full = this.#overQuota(doc);
    if (full) return full;
    const at = this.#now().toISOString();
    const version = row.version + 1;
    doc.id = id;
    doc.metadata = { ...doc.metadata, name, description, tags, createdAt: row.created_at, updatedAt: at };
    const changed = this.#db.transaction(() => {
      // Guarded on the version read above: two concurrent saves cannot both become version N+1.
      const res = this.#db
        .prepare(
          'UPDATE workflows SET name = ?, description = ?, tags = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?',
        )
        .run(name, description, JSON.stringify(tags), at, version, id, row.version);
      if (res.changes !== 1) return false;
      this.#db.prepare('DELETE FROM workflow_tags WHERE workflow_id = ?').run(id);
      this.#insertVersion(id, version, at, name, tags, request.note, doc);
      return true;
    })();
    if (!changed) return apiFail('CONFLICT', `workflow "${id}" changed while saving; reload it`);
    return apiOk(this.get(id)!);
  }

  delete(id: string): boolean {
    return this.#db.prepare('DELETE FROM workflows WHERE id = ?').run(id).changes === 1;
  }

  #insertVersion(
    id: string,
    version: number,
    at: string,
    name: string,
    tags: string[],
    note: string | undefined,
    doc: WorkflowDocument,
  ): void {
    const text = JSON.stringify(doc);
    this.#db
      .prepare(
        'INSERT INTO workflow_versions (workflow_id, version, saved_at, name, tags, note, document, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, version, at, name, JSON.stringify(tags), note ?? null, text, Buffer.byteLength(text));
    this.#db
      .prepare('DELETE FROM workflow_versions WHERE workflow_id = ? AND version <= ?')
      .run(id, version - this.#limits.maxVersions);
    const tagStmt = this.#db.prepare('INSERT OR IGNORE INTO workflow_tags (workflow_id, tag) VALUES (?, ?)');
    for (const tag of tags) tagStmt.run(id, tag);
  }

  /** LIBRARY_FULL when saving `doc` would take the library past its byte quota. */
  #overQuota(doc: WorkflowDocument): ApiResult<never> | undefined {
    const held = (this.#db.prepare('SELECT COALESCE(SUM(bytes), 0) AS n FROM workflow_versions').get() as { n: number })
      .n;
    if (held + Buffer.byteLength(JSON.stringify(doc)) <= this.#limits.maxBytes) return undefined;
    const mib = (n: number) => `${(n / 1024 ** 2).toFixed(0)} MiB`;
    return apiFail(
      'LIBRARY_FULL',
      `the workflow library holds ${mib(held)} of saved versions, its limit is ${mib(this.#limits.maxBytes)}: delete workflows you no longer need`,
    );
  }

  #prepare(
    request: SaveWorkflowRequest,
  ): ApiResult<{ doc: WorkflowDocument; name: string; description: string; tags: string[] }> {
    const loaded = loadDocument(request.document, this.#registry ? { registry: this.#registry } : {});
    if (!loaded.ok) return graphFailure('INVALID_DOCUMENT', loaded.errors.filter(isError));
    const doc = loaded.value;
    const name = request.name ?? (doc.metadata.name.trim() || 'Untitled workflow');
    const description = request.description ?? doc.metadata.description;
    const tags = [...new Set((request.tags ?? doc.metadata.tags).map((t) => t.trim()).filter(Boolean))];
    return apiOk({ doc, name, description, tags });
  }
}

function toSummary(row: WorkflowRow): WorkflowSummary {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
