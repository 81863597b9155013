import type { DatabaseSync, SQLOutputValue, StatementSync } from "node:sqlite";

export type Row = Record<string, SQLOutputValue>;

export const text = (row: Row, key: string): string | null =>
  typeof row[key] === "string" ? row[key] : null;
export const int = (row: Row, key: string): number => Number(row[key] ?? 0);

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
