import type { DatabaseSync } from "node:sqlite";
import { errorText } from "@cloudsigma/taas-core/error-text";
import { rowInt, rowText, StatementCache } from "@cloudsigma/taas-core/sql-rows";
import { inTransaction, isBusyError, openDatabase } from "@cloudsigma/taas-core/sqlite";
import { prepareLedger, UnusableLedgerError, unusableLedger } from "./gate-migrate.ts";
import type { LiveArm, RequestStatus, ResponseDecision, ResponseReason } from "./gate-schema.ts";

/**
 * How long a decision waits for another process's write lock. Short: hooks run on the
 * gateway's event loop, which stands still while SQLite waits. A decision that times out
 * fails closed (the hooks cancel a protected peer's message and log it).
 */
export const BUSY_TIMEOUT_MS = 50;

/*
 * The rows the gate writes. Each is bound by name (`:field` in the statement), so a value can
 * only land in the column named for it; SQLite refuses a field the statement does not name.
 */
type SeenMessage = {
  channel: string;
  messageId: string;
  sender: string;
  peer: string;
  at: number;
};

type NewRequest = {
  requestId: string;
  channel: string;
  sender: string;
  peer: string;
  inboundMessageId: string;
  threadId: string;
  triggerText: string;
  body: string;
  at: number;
};

type NewArm = {
  armKey: string;
  channel: string;
  peer: string;
  requestId: string;
  sourceMessageId: string | null;
  sender: string | null;
  expiresAt: number;
  usesLeft: number;
  at: number;
};

type NewResponse = {
  requestId: string | null;
  outboundMessageId: string | null;
  channel: string;
  peer: string;
  decision: ResponseDecision;
  reason: ResponseReason;
  content: string | null;
  at: number;
};

/** Every read and write of the gate's ledger, as named operations over prepared statements. */
export class GateStore {
  readonly #db: DatabaseSync;
  readonly #statements: StatementCache;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#statements = new StatementCache(db);
  }

  #sql(source: string) {
    return this.#statements.sql(source);
  }

  /** Opens the ledger, migrating a lorene-gate one; refuses one it cannot use, saying how to fix it. */
  static open(path: string): GateStore {
    let db: DatabaseSync | undefined;
    try {
      db = openDatabase(path, { busyTimeoutMs: BUSY_TIMEOUT_MS });
      prepareLedger(db, path);
      return new GateStore(db);
    } catch (error) {
      if (db?.isOpen) db.close();
      if (isBusyError(error) || error instanceof UnusableLedgerError) throw error;
      throw unusableLedger(path, errorText(error, 200));
    }
  }

  transaction<T>(work: () => T): T {
    return inTransaction(this.#db, work);
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Records a message the first time its id is seen; false when it was seen before. */
  recordSeen(message: SeenMessage): boolean {
    const result = this.#sql(
      `INSERT INTO seen_messages (channel, message_id, sender, peer, triggered, request_id, thread_id, created_at)
         VALUES (:channel, :messageId, :sender, :peer, 0, NULL, NULL, :at)
         ON CONFLICT (channel, message_id) DO NOTHING`,
    ).run(message);
    return Number(result.changes) > 0;
  }

  markSeenTriggered(channel: string, messageId: string, requestId: string, threadId: string): void {
    this.#sql(
      `UPDATE seen_messages SET triggered = 1, request_id = ?, thread_id = ?
         WHERE channel = ? AND message_id = ?`,
    ).run(requestId, threadId, channel, messageId);
  }

  /** The thread of (channel, peer, topic), created on first use; its updated_at is bumped. */
  touchThread(channel: string, peer: string, topic: string, at: number): string {
    const found = this.#sql(
      "SELECT thread_id FROM threads WHERE channel = ? AND peer = ? AND topic = ? ORDER BY updated_at DESC LIMIT 1",
    ).get(channel, peer, topic);
    const threadId = (found && rowText(found, "thread_id")) ?? `${channel}:${peer}:${topic}:${at}`;
    this.#sql(
      `INSERT INTO threads (thread_id, channel, peer, topic, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (thread_id) DO UPDATE SET updated_at = excluded.updated_at`,
    ).run(threadId, channel, peer, topic, at, at);
    return threadId;
  }

  insertRequest(request: NewRequest): void {
    this.#sql(
      `INSERT OR REPLACE INTO requests (request_id, channel, sender, peer, inbound_message_id, thread_id,
           trigger_text, body, status, created_at, updated_at, last_response_at, rearmed_at)
         VALUES (:requestId, :channel, :sender, :peer, :inboundMessageId, :threadId,
           :triggerText, :body, 'received', :at, :at, NULL, NULL)`,
    ).run(request);
  }

  /** The newest request of the peer still waiting for its first reply and never re-armed. */
  latestUnanswered(
    channel: string,
    peer: string,
  ): { requestId: string; createdAt: number } | undefined {
    const row = this.#sql(
      `SELECT request_id, created_at FROM requests
         WHERE channel = ? AND peer = ? AND status = 'received' AND rearmed_at IS NULL
         ORDER BY created_at DESC LIMIT 1`,
    ).get(channel, peer);
    const requestId = row ? rowText(row, "request_id") : null;
    return row && requestId ? { requestId, createdAt: rowInt(row, "created_at") } : undefined;
  }

  setRequestStatus(requestId: string, status: RequestStatus, at: number): void {
    const responded = status === "responded" ? at : null;
    this.#sql(
      `UPDATE requests SET status = ?, updated_at = ?, last_response_at = COALESCE(?, last_response_at)
         WHERE request_id = ?`,
    ).run(status, at, responded, requestId);
  }

  markRearmed(requestId: string, at: number): void {
    this.#sql("UPDATE requests SET rearmed_at = ?, updated_at = ? WHERE request_id = ?").run(
      at,
      at,
      requestId,
    );
  }

  /** Marks every unanswered request of the peer created before `cutoff` as missed. */
  markMissedBefore(channel: string, peer: string, cutoff: number, at: number): number {
    const result = this.#sql(
      `UPDATE requests SET status = 'missed', updated_at = ?
         WHERE channel = ? AND peer = ? AND status = 'received' AND created_at < ?`,
    ).run(at, channel, peer, cutoff);
    return Number(result.changes);
  }

  upsertArm(arm: NewArm): void {
    this.#sql(
      `INSERT OR REPLACE INTO arms (arm_key, channel, peer, request_id, source_message_id, sender,
           expires_at, uses_left, updated_at)
         VALUES (:armKey, :channel, :peer, :requestId, :sourceMessageId, :sender,
           :expiresAt, :usesLeft, :at)`,
    ).run(arm);
  }

  getArm(armKey: string): LiveArm | undefined {
    const row = this.#sql(
      "SELECT request_id, expires_at, uses_left FROM arms WHERE arm_key = ?",
    ).get(armKey);
    if (!row) return undefined;
    return {
      requestId: rowText(row, "request_id") ?? "",
      expiresAt: rowInt(row, "expires_at"),
      usesLeft: rowInt(row, "uses_left"),
    };
  }

  spendArm(armKey: string, usesLeft: number, expiresAt: number, at: number): void {
    if (usesLeft <= 0) {
      this.#sql("DELETE FROM arms WHERE arm_key = ?").run(armKey);
      return;
    }
    this.#sql(
      "UPDATE arms SET uses_left = ?, expires_at = ?, updated_at = ? WHERE arm_key = ?",
    ).run(usesLeft, expiresAt, at, armKey);
  }

  /** Drops arms that expired or were spent. */
  pruneArms(now: number): void {
    this.#sql("DELETE FROM arms WHERE expires_at <= ? OR uses_left <= 0").run(now);
  }

  insertResponse(response: NewResponse): void {
    this.#sql(
      `INSERT INTO responses (request_id, outbound_message_id, channel, peer, kind, decision, reason, content, created_at)
         VALUES (:requestId, :outboundMessageId, :channel, :peer, 'text', :decision, :reason,
           :content, :at)`,
    ).run(response);
  }
}
