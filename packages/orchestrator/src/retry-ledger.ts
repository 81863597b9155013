import { rowInt, type StatementCache } from "@cloudsigma/taas-core/sql-rows";
import type { RetryDecision } from "./tracking-schema.ts";

interface RetryLogEntry {
  taskKey: string;
  failedSessionKey: string;
  requesterSessionKey: string;
  outcome: string;
  attempt: number | null;
  decision: RetryDecision;
  at: number;
}

/** Retry budgets per task key and the log of every retry decision. */
export class RetryLedger {
  readonly #statements: StatementCache;

  constructor(statements: StatementCache) {
    this.#statements = statements;
  }

  /**
   * Takes one retry from a task's budget, atomically (one statement, so two processes cannot
   * both take the last one): the attempt number, or undefined when `max` were already taken.
   */
  reserve(
    taskKey: string,
    requesterSessionKey: string,
    max: number,
    at: number,
  ): number | undefined {
    const row = this.#statements
      .sql(
        `INSERT INTO retry_budgets (task_key, requester_session_key, retries, updated_at) VALUES (?, ?, 1, ?)
         ON CONFLICT (task_key) DO UPDATE SET retries = retries + 1, updated_at = excluded.updated_at
         WHERE retries < ?
         RETURNING retries`,
      )
      .get(taskKey, requesterSessionKey, at, max);
    return row ? rowInt(row, "retries") : undefined;
  }

  /** Gives back a reserved retry that could not be queued. */
  release(taskKey: string): void {
    this.#statements
      .sql("UPDATE retry_budgets SET retries = MAX(retries - 1, 0) WHERE task_key = ?")
      .run(taskKey);
  }

  log(entry: RetryLogEntry): void {
    this.#statements
      .sql(
        `INSERT INTO retry_log (task_key, failed_session_key, requester_session_key, outcome, attempt, decision, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.taskKey,
        entry.failedSessionKey,
        entry.requesterSessionKey,
        entry.outcome,
        entry.attempt,
        entry.decision,
        entry.at,
      );
  }
}
