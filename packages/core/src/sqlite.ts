import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

export interface OpenDatabaseOptions {
  /** Milliseconds SQLite waits on a lock held by another connection before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Statements run once after opening, e.g. CREATE TABLE IF NOT EXISTS ... (idempotent). */
  schema?: string;
  readOnly?: boolean;
}

/**
 * Opens (creating if needed) a plugin database the way the host keeps its own state: WAL, so
 * the gateway, `--local` runs and CLI commands (separate processes) read while one writes;
 * a busy timeout instead of instant SQLITE_BUSY; the file and its directory private to the user.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): DatabaseSync {
  if (!options.readOnly) mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const created = !existsSync(path);
  const db = new DatabaseSync(path, { readOnly: options.readOnly ?? false });
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 2_000))}`);
  if (!options.readOnly) {
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    if (created) chmodSync(path, 0o600);
    if (options.schema) db.exec(options.schema);
  }
  return db;
}

/** Runs `work` in one IMMEDIATE transaction (the write lock is taken up front, not mid-way). */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = work();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw error;
  }
}

/** True for SQLite's "database is locked/busy" failures, which are worth a later retry. */
export function isBusyError(error: unknown): boolean {
  const text =
    error instanceof Error
      ? `${error.message} ${String((error as { errcode?: unknown }).errcode ?? "")}`
      : "";
  return /SQLITE_BUSY|SQLITE_LOCKED|database is locked|database table is locked| 5$| 6$/.test(text);
}
