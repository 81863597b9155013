import { rowInt, rowText, type StatementCache } from "@cloudsigma/taas-core/sql-rows";
import { capText } from "./task-text.ts";

type NoteField = "last_user_message" | "last_delegated_task";

/** Small per-session memory: the last user message, the last delegated task, policy blocks. */
export class SessionNotes {
  readonly #statements: StatementCache;

  constructor(statements: StatementCache) {
    this.#statements = statements;
  }

  get(sessionKey: string, field: NoteField): string | undefined {
    const row = this.#statements
      .sql(`SELECT ${field} AS value FROM session_notes WHERE session_key = ?`)
      .get(sessionKey);
    const value = row && rowText(row, "value");
    return value ? capText(value) : undefined;
  }

  /** Notes become fallback tasks: stored bounded, like every task. */
  set(sessionKey: string, field: NoteField, value: string, at: number): void {
    this.#statements
      .sql(
        `INSERT INTO session_notes (session_key, ${field}, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (session_key) DO UPDATE SET ${field} = excluded.${field}, updated_at = excluded.updated_at`,
      )
      .run(sessionKey, capText(value), at);
  }

  /** Counts one more policy block under `blockKey` and returns the count. */
  countBlock(blockKey: string, sessionKey: string, at: number): number {
    const row = this.#statements
      .sql(
        `INSERT INTO policy_blocks (block_key, session_key, attempts, updated_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (block_key) DO UPDATE SET attempts = attempts + 1, updated_at = excluded.updated_at
         RETURNING attempts`,
      )
      .get(blockKey, sessionKey, at);
    return row ? rowInt(row, "attempts") : 1;
  }
}
