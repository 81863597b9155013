import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { inTransaction, openDatabase } from "./sqlite.ts";

/**
 * Where TaaS routed a model call, as its response headers said. Written by the optimizer
 * (openclaw-taas-affinity), read by its gateway method and by the usage ledger. The store is
 * SQLite because the writer (provider hooks) and the readers (gateway methods, other
 * processes) never share a module instance, and the last route must survive a restart.
 */
export interface RouteCapture {
  capturedAt: string;
  sessionId: string;
  agentId?: string;
  callId?: string;
  turnId?: string;
  attempt?: number;
  provider: string;
  model: string;
  status: number;
  upstream?: string;
  requestId?: string;
  traceId?: string;
  autorouted: boolean;
  autorouterModel?: string;
  autorouterMode?: string;
  autorouterAlgorithmSource?: string;
  thinkingApplied?: boolean;
  routedContextWindow?: number;
}

export interface RouteStoreCaps {
  maxSessions: number;
  maxAgents: number;
  maxCalls: number;
}

/** The optimizer's directory and file under the OpenClaw state dir (declared in its backupResources). */
export const ROUTE_STORE_RELATIVE_PATH = join("openclaw-taas-affinity", "routes.sqlite");

export const routeStorePath = (stateDir: string): string =>
  join(stateDir, ROUTE_STORE_RELATIVE_PATH);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS latest_route (
  scope TEXT NOT NULL CHECK (scope IN ('session', 'agent')),
  key TEXT NOT NULL,
  captured_at INTEGER NOT NULL,
  capture TEXT NOT NULL,
  PRIMARY KEY (scope, key)
) STRICT;
CREATE INDEX IF NOT EXISTS latest_route_age ON latest_route (scope, captured_at);
CREATE TABLE IF NOT EXISTS call_route (
  call_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  captured_at INTEGER NOT NULL,
  capture TEXT NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS call_route_age ON call_route (captured_at);
`;

export class RouteStore {
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
  write(captures: readonly RouteCapture[], caps: RouteStoreCaps): void {
    if (captures.length === 0) return;
    const db = this.#open();
    inTransaction(db, () => {
      const upsertLatest = db.prepare(
        "INSERT INTO latest_route (scope, key, captured_at, capture) VALUES (?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET captured_at = excluded.captured_at, capture = excluded.capture",
      );
      const upsertCall = db.prepare(
        "INSERT OR REPLACE INTO call_route (call_id, session_id, captured_at, capture) VALUES (?, ?, ?, ?)",
      );
      for (const capture of captures) {
        const at = Date.parse(capture.capturedAt) || Date.now();
        const json = JSON.stringify(capture);
        upsertLatest.run("session", capture.sessionId, at, json);
        if (capture.agentId) upsertLatest.run("agent", capture.agentId, at, json);
        if (capture.callId) upsertCall.run(capture.callId, capture.sessionId, at, json);
      }
      const trimLatest = db.prepare(
        "DELETE FROM latest_route WHERE scope = ?1 AND key NOT IN (SELECT key FROM latest_route WHERE scope = ?1 ORDER BY captured_at DESC LIMIT ?2)",
      );
      trimLatest.run("session", caps.maxSessions);
      trimLatest.run("agent", caps.maxAgents);
      db.prepare(
        "DELETE FROM call_route WHERE call_id NOT IN (SELECT call_id FROM call_route ORDER BY captured_at DESC LIMIT ?)",
      ).run(caps.maxCalls);
    });
  }

  /** The latest capture for an affinity session id or an agent id; undefined when none. */
  latest(scope: "session" | "agent", key: string): RouteCapture | undefined {
    const db = this.#openForRead();
    const row = db
      ?.prepare("SELECT capture FROM latest_route WHERE scope = ? AND key = ?")
      .get(scope, key);
    return row ? parseCapture(row.capture) : undefined;
  }

  /** The capture of one model call (`<runId>:model:<n>`), for the usage ledger. */
  byCallId(callId: string): RouteCapture | undefined {
    const db = this.#openForRead();
    const row = db?.prepare("SELECT capture FROM call_route WHERE call_id = ?").get(callId);
    return row ? parseCapture(row.capture) : undefined;
  }

  count(scope: "session" | "agent" | "call"): number {
    const db = this.#openForRead();
    if (!db) return 0;
    const row =
      scope === "call"
        ? db.prepare("SELECT count(*) AS n FROM call_route").get()
        : db.prepare("SELECT count(*) AS n FROM latest_route WHERE scope = ?").get(scope);
    return Number(row?.n ?? 0);
  }

  // A reader must not create the file: "nothing captured yet" is an answer, not a side effect.
  #openForRead(): DatabaseSync | undefined {
    if (this.#db) return this.#db;
    if (!existsSync(this.path)) return undefined;
    return this.#open();
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }
}

function parseCapture(value: unknown): RouteCapture | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value) as RouteCapture;
  } catch {
    return undefined;
  }
}
