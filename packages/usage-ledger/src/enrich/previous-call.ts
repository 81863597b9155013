import type { DatabaseSync, StatementSync } from "node:sqlite";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { StoredCall } from "../cache/history.ts";
import { fileIdentity } from "../store/file-health.ts";

/** The latest call of an affinity id the ledger stored before `ts` (after a restart). */
export interface PreviousCallReader {
  before(affinityId: string, ts: number): StoredCall | undefined;
}

const PREVIOUS_CALL = `SELECT call_id, ts, input + cache_read + cache_write AS prompt, cache_read,
  cache_write, upstream_route FROM usage_rows
  WHERE affinity_id = ? AND ts < ? AND granularity = 'call' AND usage_known = 1
  ORDER BY ts DESC LIMIT 1`;

/**
 * Reads previous calls from the ledger file through a read-only connection of its own, so the
 * enrich step needs nothing of the writer's. It follows the path: a ledger replaced, or set
 * aside when corrupt, is read again from the new file. Throws what SQLite throws; the caller
 * reports it and accounts the call without its previous one.
 */
export class LedgerPreviousCalls implements PreviousCallReader {
  readonly path: string;
  #open: { db: DatabaseSync; query: StatementSync; ino: number; dev: number } | undefined;

  constructor(path: string) {
    this.path = path;
  }

  before(affinityId: string, ts: number): StoredCall | undefined {
    const query = this.#query();
    if (!query) return undefined;
    let row: Record<string, unknown> | undefined;
    try {
      row = query.get(affinityId, ts);
    } catch (error) {
      this.close(); // the next read opens the file again: it may have been repaired or replaced
      throw error;
    }
    if (!row || typeof row.call_id !== "string") return undefined;
    return {
      callId: row.call_id,
      ts: Number(row.ts),
      promptTokens: Number(row.prompt),
      cacheRead: Number(row.cache_read),
      cacheWrite: Number(row.cache_write),
      upstream: typeof row.upstream_route === "string" ? row.upstream_route : undefined,
    };
  }

  close(): void {
    try {
      this.#open?.db.close();
    } catch {
      // Already closed.
    }
    this.#open = undefined;
  }

  #query(): StatementSync | undefined {
    const identity = fileIdentity(this.path);
    const open = this.#open;
    if (open && identity?.ino === open.ino && identity.dev === open.dev) return open.query;
    this.close();
    // No file yet: nothing stored, so no previous call (the writer creates it).
    if (!identity) return undefined;
    const db = openDatabase(this.path, { readOnly: true, busyTimeoutMs: 25 });
    try {
      this.#open = { db, query: db.prepare(PREVIOUS_CALL), ...identity };
    } catch (error) {
      db.close();
      throw error;
    }
    return this.#open.query;
  }
}
