import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type StudioDatabase = Database.Database;

/**
 * Opens (creating if needed) the studio's embedded database: one SQLite file shared by the
 * workflow library and the run queue. WAL keeps readers off the writer's back; NORMAL sync is
 * durable across process crashes (only an OS crash may lose the last transactions).
 */
export function openStudioDatabase(file: string): StudioDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  db.exec('CREATE TABLE IF NOT EXISTS schema_versions (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  return db;
}

/**
 * Brings one component's tables up to date: `steps[i]` upgrades from version i to i + 1. Each
 * step runs in a transaction with its version bump, so a crash never leaves half a migration.
 */
export function migrateComponent(db: StudioDatabase, component: string, steps: readonly string[]): void {
  const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as
    { version: number } | undefined;
  const current = row?.version ?? 0;
  if (current > steps.length)
    throw new Error(
      `database component "${component}" is at version ${current}, newer than this build (${steps.length}); update PtP Studio`,
    );
  for (let v = current; v < steps.length; v++) {
    db.transaction(() => {
      db.exec(steps[v]!);
      db.prepare(
        'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version',
      ).run(component, v + 1);
    })();
  }
}
