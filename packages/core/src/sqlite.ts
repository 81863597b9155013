import { chmodSync, existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";

interface OpenDatabaseOptions {
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

/**
 * What kind of SQLite failure a write met, so a writer can decide what to do with its rows:
 * `bad-row` is the data's fault (a CHECK or type rejected it; retrying cannot help); `corrupt`
 * is the file's (truncated, overwritten, not SQLite at all: retrying the same file cannot help
 * either, the file has to be set aside); every other kind is the database's or the disk's, and
 * the rows must be kept for a later retry.
 */
export type SqliteFailure =
  | "busy"
  | "disk-full"
  | "read-only"
  | "io"
  | "bad-row"
  | "corrupt"
  | "unavailable";

// SQLite primary result codes (the low byte of an extended code).
const PRIMARY_CODES: Record<number, SqliteFailure> = {
  5: "busy", // SQLITE_BUSY
  6: "busy", // SQLITE_LOCKED
  8: "read-only", // SQLITE_READONLY
  10: "io", // SQLITE_IOERR
  11: "corrupt", // SQLITE_CORRUPT ("database disk image is malformed")
  13: "disk-full", // SQLITE_FULL
  18: "bad-row", // SQLITE_TOOBIG
  19: "bad-row", // SQLITE_CONSTRAINT
  20: "bad-row", // SQLITE_MISMATCH
  25: "bad-row", // SQLITE_RANGE
  26: "corrupt", // SQLITE_NOTADB ("file is not a database")
};

export function sqliteFailure(error: unknown): SqliteFailure {
  if (!(error instanceof Error)) return "unavailable";
  const code = (error as { errcode?: unknown }).errcode;
  if (typeof code === "number") return PRIMARY_CODES[code & 0xff] ?? "unavailable";
  const text = error.message;
  if (/database or disk is full|SQLITE_FULL/i.test(text)) return "disk-full";
  if (/readonly|read-only/i.test(text)) return "read-only";
  if (/disk I\/O error|SQLITE_IOERR/i.test(text)) return "io";
  if (/disk image is malformed|file is not a database|SQLITE_CORRUPT|SQLITE_NOTADB/i.test(text)) {
    return "corrupt";
  }
  if (isBusyError(error)) return "busy";
  if (/constraint failed|datatype mismatch/i.test(text)) return "bad-row";
  return "unavailable";
}
