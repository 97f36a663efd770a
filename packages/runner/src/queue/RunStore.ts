import type {
  RunBatch,
  RunDetail,
  RunEvent,
  RunFailure,
  RunOutput,
  RunRecord,
  RunRequestOptions,
  RunStatus,
  WorkflowDocument,
} from '@ptp/graph-core';
import { migrateComponent, type StudioDatabase } from '../library/openStudioDatabase.js';
import type { RunListOptions } from './RunQueue.js';

/** Exported for the upgrade test. */
export const RUN_STORE_MIGRATIONS = [
  `CREATE TABLE runs (
     seq_no INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     status TEXT NOT NULL,
     name TEXT NOT NULL,
     options TEXT NOT NULL,
     workflow TEXT NOT NULL,
     created_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     error TEXT,
     outputs TEXT NOT NULL DEFAULT '[]',
     client_request_id TEXT UNIQUE,
     resubmitted_from TEXT,
     last_seq INTEGER NOT NULL DEFAULT -1
   );
   CREATE INDEX runs_by_status ON runs(status, seq_no);
   CREATE TABLE run_events (
     run_id TEXT NOT NULL,
     seq INTEGER NOT NULL,
     event TEXT NOT NULL,
     PRIMARY KEY (run_id, seq)
   ) WITHOUT ROWID;`,
  // 2: batches (History groups a batch's runs and cancels what is left of one).
  `ALTER TABLE runs ADD COLUMN batch_id TEXT;
   ALTER TABLE runs ADD COLUMN batch TEXT;
   CREATE INDEX runs_by_batch ON runs(batch_id, seq_no) WHERE batch_id IS NOT NULL;`,
  // 3: queue front (a run queued ahead of the waiting ones); NULL means submission order.
  `ALTER TABLE runs ADD COLUMN queue_order INTEGER;
   CREATE INDEX runs_by_queue_order ON runs(status, COALESCE(queue_order, seq_no));`,
  // 4: the queue's own state (paused), kept across restarts.
  `CREATE TABLE run_queue_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  // 5: the seeds a run samples with (History shows them); NULL on older runs.
  `ALTER TABLE runs ADD COLUMN seeds TEXT;`,
];

/** Where a run stands in the queue: its submission order, unless it was queued at the front. */
const QUEUE_ORDER = 'COALESCE(queue_order, seq_no)';

interface RunRow {
  seq_no: number;
  id: string;
  status: RunStatus;
  name: string;
  options: string;
  workflow: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
  outputs: string;
  client_request_id: string | null;
  resubmitted_from: string | null;
  last_seq: number;
  batch: string | null;
  queue_order: number | null;
  seeds: string | null;
}

/**
 * SQLite persistence of runs and their events (without preview bytes). Every state change is one
 * guarded UPDATE, so a run moves queued -> running exactly once even if two callers race.
 */
export class RunStore {
  readonly #db: StudioDatabase;
  readonly #stmts;

  constructor(db: StudioDatabase) {
    this.#db = db;
    migrateComponent(db, 'run-queue', RUN_STORE_MIGRATIONS);
    this.#stmts = {
      byId: db.prepare('SELECT * FROM runs WHERE id = ?'),
      byRequest: db.prepare('SELECT * FROM runs WHERE client_request_id = ?'),
      insert: db.prepare(
        'INSERT INTO runs (id, status, name, options, workflow, created_at, client_request_id, resubmitted_from, batch_id, batch, seeds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      position: db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE status = 'queued' AND ${QUEUE_ORDER} < ?`),
      nextQueued: db.prepare(`SELECT * FROM runs WHERE status = 'queued' ORDER BY ${QUEUE_ORDER} LIMIT 1`),
      toFront: db.prepare(
        `UPDATE runs SET queue_order = (SELECT MIN(${QUEUE_ORDER}) FROM runs WHERE status = 'queued') - 1 WHERE id = ?`,
      ),
      start: db.prepare("UPDATE runs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'"),
      finish: db.prepare(
        "UPDATE runs SET status = ?, finished_at = ?, error = ?, outputs = ? WHERE id = ? AND status IN ('queued', 'running')",
      ),
      appendEvent: db.prepare('INSERT INTO run_events (run_id, seq, event) VALUES (?, ?, ?)'),
      lastSeq: db.prepare('UPDATE runs SET last_seq = ? WHERE id = ? AND last_seq < ?'),
      events: db.prepare('SELECT event FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq'),
      count: db.prepare('SELECT COUNT(*) AS n FROM runs WHERE status = ?'),
      readState: db.prepare('SELECT value FROM run_queue_state WHERE key = ?'),
      writeState: db.prepare(
        'INSERT INTO run_queue_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
      running: db.prepare("SELECT * FROM runs WHERE status = 'running' ORDER BY seq_no"),
      remove: db.prepare("DELETE FROM runs WHERE id = ? AND status NOT IN ('queued', 'running')"),
      removeEvents: db.prepare('DELETE FROM run_events WHERE run_id = ?'),
      beyond: db.prepare(
        "SELECT id FROM runs WHERE status NOT IN ('queued', 'running') ORDER BY seq_no DESC LIMIT -1 OFFSET ?",
      ),
    };
  }

  insert(run: {
    id: string;
    name: string;
    options: RunRequestOptions;
    workflow: WorkflowDocument;
    createdAt: string;
    clientRequestId?: string | undefined;
    resubmittedFrom?: string | undefined;
    batch?: RunBatch | undefined;
    front?: boolean | undefined;
    seeds?: number[] | undefined;
  }): { record: RunRecord; duplicate: boolean } {
    return this.#db.transaction(() => {
      if (run.clientRequestId) {
        const seen = this.#stmts.byRequest.get(run.clientRequestId) as RunRow | undefined;
        if (seen) return { record: this.#toRecord(seen), duplicate: true };
      }
      this.#stmts.insert.run(
        run.id,
        'queued',
        run.name,
        JSON.stringify(run.options),
        JSON.stringify(run.workflow),
        run.createdAt,
        run.clientRequestId ?? null,
        run.resubmittedFrom ?? null,
        run.batch?.id ?? null,
        run.batch ? JSON.stringify(run.batch) : null,
        run.seeds?.length ? JSON.stringify(run.seeds) : null,
      );
      if (run.front) this.#stmts.toFront.run(run.id);
      return { record: this.get(run.id)!, duplicate: false };
    })();
  }

  /** The run an earlier submit with this clientRequestId created, if any. */
  byClientRequestId(clientRequestId: string): RunRecord | undefined {
    const row = this.#stmts.byRequest.get(clientRequestId) as RunRow | undefined;
    return row && this.#toRecord(row);
  }

  get(id: string): RunRecord | undefined {
    const row = this.#stmts.byId.get(id) as RunRow | undefined;
    return row && this.#toRecord(row);
  }

  detail(id: string): RunDetail | undefined {
    const row = this.#stmts.byId.get(id) as RunRow | undefined;
    return row && { ...this.#toRecord(row), workflow: JSON.parse(row.workflow) as Record<string, unknown> };
  }

  /**
   * Newest first; `q` matches name or id (case-insensitive), `before` pages on from a run id. The
   * queued runs alone are listed by their place, from the back of the queue (as the Redis queue
   * lists them): a front run comes last.
   */
  list(query: RunListOptions): RunRecord[] {
    const key = query.status === 'queued' ? QUEUE_ORDER : 'seq_no';
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.status) {
      where.push('status = ?');
      args.push(query.status);
    }
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push("(name LIKE ? ESCAPE '\\' OR id LIKE ? ESCAPE '\\')");
      args.push(like, like);
    }
    if (query.batch) {
      where.push('batch_id = ?');
      args.push(query.batch);
    }
    if (query.before) {
      where.push(`${key} < (SELECT ${key} FROM runs WHERE id = ?)`);
      args.push(query.before);
    }
    const sql = `SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${key} DESC LIMIT ?`;
    return (this.#db.prepare(sql).all(...args, query.limit) as RunRow[]).map((r) => this.#toRecord(r));
  }

  /** Deletes a final run and its events; false when unknown or still queued or running. */
  delete(id: string): boolean {
    return this.#db.transaction(() => {
      const gone = this.#stmts.remove.run(id).changes === 1;
      if (gone) this.#stmts.removeEvents.run(id);
      return gone;
    })();
  }

  /** Ids of the final runs beyond the newest `keep` (oldest first): what retention deletes. */
  beyond(keep: number): string[] {
    return (this.#stmts.beyond.all(keep) as { id: string }[]).map((r) => r.id);
  }

  /** Moves the oldest queued run to running and returns it with its workflow, or undefined. */
  /** Whether the queue was paused (no waiting run starts). */
  paused(): boolean {
    return (this.#stmts.readState.get('paused') as { value: string } | undefined)?.value === '1';
  }

  setPaused(paused: boolean): void {
    this.#stmts.writeState.run('paused', paused ? '1' : '0');
  }

  claimNext(now: string): { record: RunRecord; workflow: WorkflowDocument; options: RunRequestOptions } | undefined {
    return this.#db.transaction(() => {
      const row = this.#stmts.nextQueued.get() as RunRow | undefined;
      if (!row || this.#stmts.start.run(now, row.id).changes !== 1) return undefined;
      return {
        record: this.get(row.id)!,
        workflow: JSON.parse(row.workflow) as WorkflowDocument,
        options: JSON.parse(row.options) as RunRequestOptions,
      };
    })();
  }

  /** Final state; false when the run was already final (a late answer never overwrites one). */
  finish(id: string, status: RunStatus, at: string, error?: RunFailure, outputs: RunOutput[] = []): boolean {
    return (
      this.#stmts.finish.run(status, at, error ? JSON.stringify(error) : null, JSON.stringify(outputs), id).changes ===
      1
    );
  }

  /** Records an event (callers strip preview bytes first). Duplicate seqs are refused by the key. */
  appendEvent(event: RunEvent): void {
    this.#db.transaction(() => {
      this.#stmts.appendEvent.run(event.runId, event.seq, JSON.stringify(event));
      this.#stmts.lastSeq.run(event.seq, event.runId, event.seq);
    })();
  }

  events(id: string, afterSeq: number): RunEvent[] {
    return (this.#stmts.events.all(id, afterSeq) as { event: string }[]).map((r) => JSON.parse(r.event) as RunEvent);
  }

  count(status: RunStatus): number {
    return (this.#stmts.count.get(status) as { n: number }).n;
  }

  running(): RunRecord[] {
    return (this.#stmts.running.all() as RunRow[]).map((r) => this.#toRecord(r));
  }

  #toRecord(row: RunRow): RunRecord {
    return {
      id: row.id,
      status: row.status,
      name: row.name,
      options: JSON.parse(row.options) as RunRequestOptions,
      createdAt: row.created_at,
      ...(row.started_at ? { startedAt: row.started_at } : {}),
      ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
      ...(row.status === 'queued'
        ? { queuePosition: (this.#stmts.position.get(row.queue_order ?? row.seq_no) as { n: number }).n }
        : {}),
      lastSeq: row.last_seq,
      outputs: JSON.parse(row.outputs) as RunOutput[],
      ...(row.error ? { error: JSON.parse(row.error) as RunFailure } : {}),
      ...(row.client_request_id ? { clientRequestId: row.client_request_id } : {}),
      ...(row.resubmitted_from ? { resubmittedFrom: row.resubmitted_from } : {}),
      ...(row.batch ? { batch: JSON.parse(row.batch) as RunBatch } : {}),
      ...(row.seeds ? { seeds: JSON.parse(row.seeds) as number[] } : {}),
    };
  }
}
