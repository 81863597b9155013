import type { DatabaseSync, SQLOutputValue, StatementSync } from "node:sqlite";

/** A row as node:sqlite returns it. */
export type Row = Record<string, SQLOutputValue>;

/** A text column, or null when it is NULL or not text. */
export const rowText = (row: Row, key: string): string | null =>
  typeof row[key] === "string" ? row[key] : null;

/** An integer column (NULL reads as 0). */
export const rowInt = (row: Row, key: string): number => Number(row[key] ?? 0);

/** One prepared statement per SQL text of a connection, compiled on first use. */
export class StatementCache {
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  sql(source: string): StatementSync {
    let statement = this.#statements.get(source);
    if (!statement) {
      statement = this.#db.prepare(source);
      this.#statements.set(source, statement);
    }
    return statement;
  }
}
