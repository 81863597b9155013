import type { DatabaseSync } from "node:sqlite";
import { type Row, rowInt, rowText, StatementCache } from "@cloudsigma/taas-core/sql-rows";
import { inTransaction, openDatabase } from "@cloudsigma/taas-core/sqlite";
import { RetryLedger } from "./retry-ledger.ts";
import { SessionNotes } from "./session-notes.ts";
import {
  type PendingSpawn,
  type SessionKind,
  type SessionStatus,
  TRACKING_SCHEMA,
  type TrackedSession,
} from "./tracking-schema.ts";

const kindOf = (row: Row): SessionKind => (row.kind === "orchestrator" ? "orchestrator" : "worker");

const DAY_MS = 86_400_000;
/**
 * How long a hook waits for another process's write lock. Short: hooks run on the gateway's
 * event loop, which stands still while SQLite waits. A hook that times out skips its
 * bookkeeping and logs it (see hooks.ts); tool policy in main sessions still applies.
 */
export const BUSY_TIMEOUT_MS = 50;

/**
 * The orchestrator's SQLite state, as named operations over cached prepared statements: the
 * tracked sessions and pending spawns here, retry budgets in `retries`, per-session notes and
 * policy block counts in `notes`.
 */
export class TrackingStore {
  readonly #db: DatabaseSync;
  readonly #statements: StatementCache;
  readonly retries: RetryLedger;
  readonly notes: SessionNotes;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#statements = new StatementCache(db);
    this.retries = new RetryLedger(this.#statements);
    this.notes = new SessionNotes(this.#statements);
  }

  static open(path: string): TrackingStore {
    return new TrackingStore(
      openDatabase(path, { schema: TRACKING_SCHEMA, busyTimeoutMs: BUSY_TIMEOUT_MS }),
    );
  }

  #sql(source: string) {
    return this.#statements.sql(source);
  }

  transaction<T>(work: () => T): T {
    return inTransaction(this.#db, work);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /**
   * Drops what nobody will read again: stale pending spawns, tracked sessions, budgets and
   * notes not updated for `ttlMs`, the old retry log and policy block counts.
   */
  prune(now: number, ttlMs: number): void {
    const expired = now - ttlMs;
    this.#sql("DELETE FROM pending_spawns WHERE created_at < ?").run(now - 3_600_000);
    this.#sql("DELETE FROM tracked_sessions WHERE updated_at < ?").run(expired);
    this.#sql("DELETE FROM retry_budgets WHERE updated_at < ?").run(expired);
    this.#sql("DELETE FROM session_notes WHERE updated_at < ?").run(expired);
    this.#sql("DELETE FROM retry_log WHERE created_at < ?").run(now - 30 * DAY_MS);
    this.#sql("DELETE FROM policy_blocks WHERE updated_at < ?").run(now - DAY_MS);
  }

  recordPending(pending: PendingSpawn): void {
    this.#sql(
      `INSERT OR REPLACE INTO pending_spawns (pending_key, requester_session_key, kind, label, spec_json, task_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      pending.pendingKey,
      pending.requesterSessionKey,
      pending.kind,
      pending.label,
      pending.specJson,
      pending.taskKey,
      pending.createdAt,
    );
  }

  /** Removes and returns the pending spawn of one tool call. */
  takePending(pendingKey: string): PendingSpawn | undefined {
    const row = this.#sql("SELECT * FROM pending_spawns WHERE pending_key = ?").get(pendingKey);
    if (!row) return undefined;
    this.#sql("DELETE FROM pending_spawns WHERE pending_key = ?").run(pendingKey);
    return pendingOf(row);
  }

  /** Removes and returns the oldest pending spawn of a requester with this label. */
  takePendingFor(requesterSessionKey: string, label: string | null): PendingSpawn | undefined {
    const row = this.#sql(
      `SELECT * FROM pending_spawns WHERE requester_session_key = ? AND label IS ?
       ORDER BY created_at, rowid LIMIT 1`,
    ).get(requesterSessionKey, label);
    if (!row) return undefined;
    return this.takePending(rowText(row, "pending_key") ?? "");
  }

  trackSession(
    pending: PendingSpawn,
    childSessionKey: string,
    taskPreview: string,
    runId: string | null,
    at: number,
  ): void {
    this.#sql(
      `INSERT INTO tracked_sessions (session_key, kind, requester_session_key, label, task_preview, task_key,
         spec_json, status, outcome, error, run_id, started_at, updated_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'running', NULL, NULL, ?, ?, ?, NULL)
       ON CONFLICT (session_key) DO UPDATE SET run_id = COALESCE(excluded.run_id, run_id), updated_at = excluded.updated_at`,
    ).run(
      childSessionKey,
      pending.kind,
      pending.requesterSessionKey,
      pending.label,
      taskPreview,
      pending.taskKey,
      pending.specJson,
      runId,
      at,
      at,
    );
  }

  getSession(sessionKey: string): TrackedSession | undefined {
    const row = this.#sql("SELECT * FROM tracked_sessions WHERE session_key = ?").get(sessionKey);
    return row ? sessionOf(row) : undefined;
  }

  touchSession(sessionKey: string, at: number): void {
    this.#sql("UPDATE tracked_sessions SET updated_at = ? WHERE session_key = ?").run(
      at,
      sessionKey,
    );
  }

  endSession(
    sessionKey: string,
    status: SessionStatus,
    outcome: string,
    error: string | null,
    at: number,
  ): void {
    this.#sql(
      `UPDATE tracked_sessions SET status = ?, outcome = ?, error = ?, updated_at = ?, ended_at = ?
       WHERE session_key = ?`,
    ).run(status, outcome, error, at, at, sessionKey);
  }

  /** The newest running orchestrator of a front session, unless it went quiet before `staleBefore`. */
  activeOrchestrator(requesterSessionKey: string, staleBefore: number): string | undefined {
    const row = this.#sql(
      `SELECT session_key FROM tracked_sessions
       WHERE requester_session_key = ? AND kind = 'orchestrator' AND status = 'running' AND updated_at >= ?
       ORDER BY started_at DESC LIMIT 1`,
    ).get(requesterSessionKey, staleBefore);
    return (row && rowText(row, "session_key")) ?? undefined;
  }

  /** The sessions a requester spawned, most recently updated first. */
  childrenOf(requesterSessionKey: string, limit: number): TrackedSession[] {
    return this.#sql(
      `SELECT * FROM tracked_sessions WHERE requester_session_key = ?
       ORDER BY updated_at DESC, rowid DESC LIMIT ?`,
    )
      .all(requesterSessionKey, limit)
      .map(sessionOf);
  }

  /**
   * Forgets a session that ended for good: its notes and block counts, its pending spawns, and
   * the sessions it spawned (with their own children) and their retry budgets.
   */
  forgetSession(sessionKey: string, includeTracked: boolean): void {
    this.#sql("DELETE FROM session_notes WHERE session_key = ?").run(sessionKey);
    this.#sql("DELETE FROM policy_blocks WHERE session_key = ?").run(sessionKey);
    this.#sql("DELETE FROM pending_spawns WHERE requester_session_key = ?").run(sessionKey);
    if (!includeTracked) return;
    const children = this.#sql(
      "SELECT session_key FROM tracked_sessions WHERE requester_session_key = ?",
    )
      .all(sessionKey)
      .map((row) => rowText(row, "session_key") ?? "");
    for (const owner of [sessionKey, ...children]) {
      this.#sql("DELETE FROM tracked_sessions WHERE requester_session_key = ?").run(owner);
      this.#sql("DELETE FROM retry_budgets WHERE requester_session_key = ?").run(owner);
      this.#sql("DELETE FROM pending_spawns WHERE requester_session_key = ?").run(owner);
    }
    this.#sql("DELETE FROM tracked_sessions WHERE session_key = ?").run(sessionKey);
  }
}

function sessionOf(row: Row): TrackedSession {
  return {
    sessionKey: rowText(row, "session_key") ?? "",
    kind: kindOf(row),
    requesterSessionKey: rowText(row, "requester_session_key") ?? "",
    label: rowText(row, "label"),
    taskPreview: rowText(row, "task_preview") ?? "",
    taskKey: rowText(row, "task_key") ?? "",
    specJson: rowText(row, "spec_json") ?? "{}",
    status: rowText(row, "status") ?? "unknown",
    outcome: rowText(row, "outcome"),
    startedAt: rowInt(row, "started_at"),
    updatedAt: rowInt(row, "updated_at"),
  };
}

function pendingOf(row: Row): PendingSpawn {
  return {
    pendingKey: rowText(row, "pending_key") ?? "",
    requesterSessionKey: rowText(row, "requester_session_key") ?? "",
    kind: kindOf(row),
    label: rowText(row, "label"),
    specJson: rowText(row, "spec_json") ?? "{}",
    taskKey: rowText(row, "task_key") ?? "",
    createdAt: rowInt(row, "created_at"),
  };
}
