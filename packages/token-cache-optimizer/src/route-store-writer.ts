import type { DatabaseSync } from "node:sqlite";
import {
  type PromptPrefix,
  ROUTE_TABLES,
  type RouteCapture,
  type RouteScope,
  routeCaptureJson,
  routeStorePath,
  STORED_SCOPE,
} from "@cloudsigma/taas-core/contracts/route-store";
import { inTransaction, openDatabase } from "@cloudsigma/taas-core/sqlite";

/**
 * The route-store seam, write side: this plugin owns the schema and every write. Readers (our
 * `lastRoute` method, the usage ledger) go through core's read-only `RouteReader`; the
 * contract test beside the seam (`core/src/contracts/route-store.contract.test.ts`) writes here
 * and reads there.
 */
export interface RouteStoreCaps {
  /** Affinity ids whose latest capture is kept (config `captureMaxSessions`). */
  maxAffinityIds: number;
  maxAgents: number;
  maxCalls: number;
}

/** A call's prompt prefix digests, stored beside its capture (trimmed by the same cap). */
export interface CallPrefix {
  callId: string;
  prefix: PromptPrefix;
}

const { latest: LATEST, calls: CALLS, prefixes: PREFIXES } = ROUTE_TABLES;
const { affinity: AFFINITY, agent: AGENT } = STORED_SCOPE;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ${LATEST} (
  scope TEXT NOT NULL CHECK (scope IN ('${AFFINITY}', '${AGENT}')),
  key TEXT NOT NULL,
  captured_at INTEGER NOT NULL,
  capture TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX IF NOT EXISTS ${LATEST}_age ON ${LATEST} (scope, captured_at);
CREATE TABLE IF NOT EXISTS ${CALLS} (
  call_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  captured_at INTEGER NOT NULL,
  capture TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS ${CALLS}_age ON ${CALLS} (captured_at);
CREATE TABLE IF NOT EXISTS ${PREFIXES} (
  call_id TEXT PRIMARY KEY,
  captured_at INTEGER NOT NULL,
  prefix TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS ${PREFIXES}_age ON ${PREFIXES} (captured_at);
`;

export class RouteStoreWriter {
  readonly path: string;
  #db: DatabaseSync | undefined;

  constructor(stateDir: string) {
    this.path = routeStorePath(stateDir);
  }

  #open(): DatabaseSync {
    this.#db ??= openDatabase(this.path, { schema: SCHEMA });
    return this.#db;
  }

  /** Writes a batch in one transaction and trims every table to its cap (least recent out). */
  write(
    captures: readonly RouteCapture[],
    caps: RouteStoreCaps,
    prefixes: readonly CallPrefix[] = [],
  ): void {
    if (captures.length === 0 && prefixes.length === 0) return;
    const db = this.#open();
    inTransaction(db, () => {
      const upsertLatest = db.prepare(
        `INSERT INTO ${LATEST} (scope, key, captured_at, capture) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET captured_at = excluded.captured_at, capture = excluded.capture`,
      );
      const upsertCall = db.prepare(
        `INSERT OR REPLACE INTO ${CALLS} (call_id, session_id, captured_at, capture) VALUES (?, ?, ?, ?)`,
      );
      for (const capture of captures) {
        const at = Date.parse(capture.capturedAt) || Date.now();
        const json = JSON.stringify(routeCaptureJson(capture));
        const { affinityId, workspaceAffinityId } = capture;
        upsertLatest.run(AFFINITY, affinityId, at, json);
        if (workspaceAffinityId && workspaceAffinityId !== affinityId)
          upsertLatest.run(AFFINITY, workspaceAffinityId, at, json);
        if (capture.agentId) upsertLatest.run(AGENT, capture.agentId, at, json);
        // The column keeps its first name; it holds the call's affinity id.
        if (capture.callId) upsertCall.run(capture.callId, affinityId, at, json);
      }
      const upsertPrefix = db.prepare(
        `INSERT OR REPLACE INTO ${PREFIXES} (call_id, captured_at, prefix) VALUES (?, ?, ?)`,
      );
      const now = Date.now();
      for (const { callId, prefix } of prefixes) {
        upsertPrefix.run(callId, now, JSON.stringify(prefix));
      }
      const trimLatest = db.prepare(
        `DELETE FROM ${LATEST} WHERE scope = ?1 AND key NOT IN (SELECT key FROM ${LATEST} WHERE scope = ?1 ORDER BY captured_at DESC LIMIT ?2)`,
      );
      trimLatest.run(AFFINITY, caps.maxAffinityIds);
      trimLatest.run(AGENT, caps.maxAgents);
      for (const table of [CALLS, PREFIXES]) {
        db.prepare(
          `DELETE FROM ${table} WHERE call_id NOT IN (SELECT call_id FROM ${table} ORDER BY captured_at DESC LIMIT ?)`,
        ).run(caps.maxCalls);
      }
    });
  }

  /** Rows kept per table (for the caps' tests and diagnostics). */
  count(scope: RouteScope | "call" | "prefix"): number {
    const db = this.#open();
    const row =
      scope === "call" || scope === "prefix"
        ? db.prepare(`SELECT count(*) AS n FROM ${scope === "call" ? CALLS : PREFIXES}`).get()
        : db
            .prepare(`SELECT count(*) AS n FROM ${LATEST} WHERE scope = ?`)
            .get(STORED_SCOPE[scope]);
    return Number(row?.n ?? 0);
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }
}
