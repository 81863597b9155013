import { existsSync } from "node:fs";
import { DatabaseSync, type SQLInputValue, type SQLOutputValue } from "node:sqlite";

export type Row = Record<string, SQLOutputValue>;

/** Rows a plugin has committed, read through a separate read-only connection, as another process would. */
export function readRows(path: string, sql: string, ...params: SQLInputValue[]): Row[] {
  const db = new DatabaseSync(path, { readOnly: true, timeout: 5_000 });
  try {
    return db.prepare(sql).all(...params);
  } finally {
    db.close();
  }
}

/**
 * readRows for tests that poll a running host: no file yet, or a file whose tables are not
 * created yet (plugins create the file, then their schema), reads as no rows.
 */
export function pollRows(path: string, sql: string, ...params: SQLInputValue[]): Row[] {
  if (!existsSync(path)) return [];
  try {
    return readRows(path, sql, ...params);
  } catch (error) {
    if (error instanceof Error && /no such table/.test(error.message)) return [];
    throw error;
  }
}
