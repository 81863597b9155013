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

/** Retry budgets per task chain and the log of every retry decision. */
export class RetryLedger {
  readonly #statements: StatementCache;

  constructor(statements: StatementCache) {
    this.#statements = statements;
  }

  /**
   * Takes one retry from a task chain's budget, atomically (one statement, so two processes
   * cannot both take the last one): the attempt number, or undefined when `max` were already
   * taken. A budget last touched before `expiredBefore` starts again at 1.
   */
  reserve(
    taskKey: string,
    requesterSessionKey: string,
    max: number,
    at: number,
    expiredBefore: number,
  ): number | undefined {
    const row = this.#statements
      .sql(
        `INSERT INTO retry_budgets (task_key, requester_session_key, retries, updated_at) VALUES (:taskKey, :requester, 1, :at)
         ON CONFLICT (task_key) DO UPDATE SET
           retries = CASE WHEN updated_at < :expiredBefore THEN 1 ELSE retries + 1 END,
           requester_session_key = excluded.requester_session_key,
           updated_at = excluded.updated_at
         WHERE retries < :max OR updated_at < :expiredBefore
         RETURNING retries`,
      )
      .get({ taskKey, requester: requesterSessionKey, at, max, expiredBefore });
    return row ? rowInt(row, "retries") : undefined;
  }

  /**
   * Marks a spent budget as failing again: it expires a full TTL after the chain's last
   * failure, so a task that keeps failing stays stopped instead of getting a new budget daily.
   */
  touch(taskKey: string, at: number): void {
    this.#statements
      .sql("UPDATE retry_budgets SET updated_at = ? WHERE task_key = ?")
      .run(at, taskKey);
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
