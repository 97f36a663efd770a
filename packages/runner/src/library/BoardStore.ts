import { randomUUID } from 'node:crypto';
import { BOARD_LIMITS, BoardNameSchema, type Board, type GalleryRef } from '@ptp/graph-core';
import { apiFail, apiOk, type ApiResult } from '../ApiResult.js';
import { migrateComponent, type StudioDatabase } from './openStudioDatabase.js';

const MIGRATIONS = [
  `CREATE TABLE boards (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL COLLATE NOCASE UNIQUE,
     created_at TEXT NOT NULL
   );
   CREATE TABLE board_items (
     board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
     run_id TEXT NOT NULL,
     output TEXT NOT NULL,
     added_at TEXT NOT NULL,
     seq INTEGER NOT NULL,
     PRIMARY KEY (board_id, run_id, output)
   );
   CREATE INDEX board_items_by_run ON board_items(run_id);`,
];

interface BoardRow {
  id: string;
  name: string;
  created_at: string;
  count: number;
}

const toBoard = (r: BoardRow): Board => ({ id: r.id, name: r.name, createdAt: r.created_at, count: r.count });
const unknownBoard = (id: string) => apiFail('UNKNOWN_BOARD', `unknown board "${id}"`);

/**
 * Boards in the studio's database: named collections of run outputs (pictures). Only references
 * are stored; the pictures stay the runs' files, so a deleted run drops off its boards (forgetRun).
 */
export class BoardStore {
  readonly #db: StudioDatabase;
  readonly #now: () => Date;

  constructor(db: StudioDatabase, options: { now?: () => Date } = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    migrateComponent(db, 'boards', MIGRATIONS);
  }

  list(): Board[] {
    const rows = this.#db
      .prepare(
        `SELECT b.id, b.name, b.created_at, (SELECT COUNT(*) FROM board_items i WHERE i.board_id = b.id) AS count
         FROM boards b ORDER BY b.name COLLATE NOCASE`,
      )
      .all() as BoardRow[];
    return rows.map(toBoard);
  }

  get(id: string): Board | undefined {
    const row = this.#db
      .prepare(
        `SELECT b.id, b.name, b.created_at, (SELECT COUNT(*) FROM board_items i WHERE i.board_id = b.id) AS count
         FROM boards b WHERE b.id = ?`,
      )
      .get(id) as BoardRow | undefined;
    return row && toBoard(row);
  }

  create(name: string): ApiResult<Board> {
    const parsed = BoardNameSchema.safeParse(name);
    if (!parsed.success) return apiFail('BAD_REQUEST', parsed.error.issues[0]!.message);
    const count = (this.#db.prepare('SELECT COUNT(*) AS n FROM boards').get() as { n: number }).n;
    if (count >= BOARD_LIMITS.maxBoards)
      return apiFail('LIMIT_EXCEEDED', `there are ${count} boards already, the most the studio keeps`);
    if (this.#byName(parsed.data)) return apiFail('CONFLICT', `a board named "${parsed.data}" exists already`);
    const id = randomUUID().replaceAll('-', '');
    this.#db
      .prepare('INSERT INTO boards (id, name, created_at) VALUES (?, ?, ?)')
      .run(id, parsed.data, this.#now().toISOString());
    return apiOk(this.get(id)!);
  }

  rename(id: string, name: string): ApiResult<Board> {
    const parsed = BoardNameSchema.safeParse(name);
    if (!parsed.success) return apiFail('BAD_REQUEST', parsed.error.issues[0]!.message);
    if (!this.get(id)) return unknownBoard(id);
    const other = this.#byName(parsed.data);
    if (other && other !== id) return apiFail('CONFLICT', `a board named "${parsed.data}" exists already`);
    this.#db.prepare('UPDATE boards SET name = ? WHERE id = ?').run(parsed.data, id);
    return apiOk(this.get(id)!);
  }

  /** Deletes the board; its pictures stay with their runs. */
  delete(id: string): ApiResult<void> {
    const { changes } = this.#db.prepare('DELETE FROM boards WHERE id = ?').run(id);
    return changes ? apiOk(undefined) : unknownBoard(id);
  }

  /** Puts a picture on the board (again is a no-op). The caller checks that the run has that output. */
  add(id: string, ref: GalleryRef): ApiResult<Board> {
    const board = this.get(id);
    if (!board) return unknownBoard(id);
    if (board.count >= BOARD_LIMITS.maxItemsPerBoard)
      return apiFail('LIMIT_EXCEEDED', `board "${board.name}" holds ${board.count} pictures, the most a board keeps`);
    const seq = (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM board_items').get() as { s: number }).s;
    this.#db
      .prepare('INSERT OR IGNORE INTO board_items (board_id, run_id, output, added_at, seq) VALUES (?, ?, ?, ?, ?)')
      .run(id, ref.runId, ref.output, this.#now().toISOString(), seq);
    return apiOk(this.get(id)!);
  }

  remove(id: string, ref: GalleryRef): ApiResult<Board> {
    if (!this.get(id)) return unknownBoard(id);
    this.#db
      .prepare('DELETE FROM board_items WHERE board_id = ? AND run_id = ? AND output = ?')
      .run(id, ref.runId, ref.output);
    return apiOk(this.get(id)!);
  }

  /** The board's pictures, newest added first. */
  items(id: string, limit: number, offset: number): ApiResult<{ refs: GalleryRef[]; total: number }> {
    const board = this.get(id);
    if (!board) return unknownBoard(id);
    const rows = this.#db
      .prepare('SELECT run_id, output FROM board_items WHERE board_id = ? ORDER BY seq DESC LIMIT ? OFFSET ?')
      .all(id, limit, offset) as { run_id: string; output: string }[];
    return apiOk({ refs: rows.map((r) => ({ runId: r.run_id, output: r.output })), total: board.count });
  }

  /** For each of these runs, the boards each of its outputs is on (key `${runId}/${output}`). */
  boardsOf(runIds: readonly string[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (!runIds.length) return out;
    const rows = this.#db
      .prepare(
        `SELECT board_id, run_id, output FROM board_items WHERE run_id IN (${runIds.map(() => '?').join(',')}) ORDER BY board_id`,
      )
      .all(...runIds) as { board_id: string; run_id: string; output: string }[];
    for (const r of rows) {
      const key = `${r.run_id}/${r.output}`;
      out.set(key, [...(out.get(key) ?? []), r.board_id]);
    }
    return out;
  }

  /** Takes a deleted run's pictures off every board. */
  forgetRun(runId: string): void {
    this.#db.prepare('DELETE FROM board_items WHERE run_id = ?').run(runId);
  }

  #byName(name: string): string | undefined {
    return (this.#db.prepare('SELECT id FROM boards WHERE name = ?').get(name) as { id: string } | undefined)?.id;
  }
}
