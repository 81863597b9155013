import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "./sqlite.ts";

/**
 * The route-store seam, read side. The token-cache optimizer (plugin `openclaw-taas-affinity`)
 * owns the store: its schema and every write (`route-store-writer.ts` in that package). The
 * optimizer's `lastRoute` gateway method and the usage ledger read it through this contract
 * only. It is SQLite because the writer (provider hooks) and the readers (gateway methods,
 * other processes) never share a module instance, and the last route must survive a restart.
 */
export interface RouteCapture {
  capturedAt: string;
  /** The affinity id the call was sent with (ours, or the one the caller pinned). */
  sessionId: string;
  /** The workspace's id when `sessionId` is another (per-session scope, a pin): found by both. */
  workspaceSessionId?: string;
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

/** The store under the OpenClaw state dir (the optimizer's manifest backs up this folder). */
export const ROUTE_STORE_RELATIVE_PATH = join("openclaw-taas-affinity", "routes.sqlite");

export const routeStorePath = (stateDir: string): string =>
  join(stateDir, ROUTE_STORE_RELATIVE_PATH);

/** The tables the writer keeps and the reader queries (the writer's schema creates them). */
export const ROUTE_TABLES = { latest: "latest_route", calls: "call_route" } as const;

export type RouteScope = "session" | "agent";

/** What a reader can ask. */
export interface RouteLookup {
  /** The latest capture for an affinity session id or an agent id. */
  latest(scope: RouteScope, key: string): RouteCapture | undefined;
  /** The capture of one model call (`<runId>:model:<n>`). */
  byCallId(callId: string): RouteCapture | undefined;
}

/**
 * A read-only view of the store. It never creates the file ("nothing captured yet" is an
 * answer, not a side effect) and answers nothing until the optimizer has written it.
 */
export class RouteReader implements RouteLookup {
  readonly path: string;
  #db: DatabaseSync | undefined;

  constructor(stateDir: string) {
    this.path = routeStorePath(stateDir);
  }

  latest(scope: RouteScope, key: string): RouteCapture | undefined {
    return this.#one(
      `SELECT capture FROM ${ROUTE_TABLES.latest} WHERE scope = ? AND key = ?`,
      scope,
      key,
    );
  }

  byCallId(callId: string): RouteCapture | undefined {
    return this.#one(`SELECT capture FROM ${ROUTE_TABLES.calls} WHERE call_id = ?`, callId);
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  #one(sql: string, ...params: string[]): RouteCapture | undefined {
    const db = this.#open();
    if (!db) return undefined;
    try {
      return parseCapture(db.prepare(sql).get(...params)?.capture);
    } catch (error) {
      // A file created a moment ago may not hold its tables yet: nothing to read, not a fault.
      if (error instanceof Error && /no such table/.test(error.message)) return undefined;
      throw error;
    }
  }

  #open(): DatabaseSync | undefined {
    if (this.#db) return this.#db;
    if (!existsSync(this.path)) return undefined;
    this.#db = openDatabase(this.path, { readOnly: true });
    return this.#db;
  }
}

export function parseCapture(value: unknown): RouteCapture | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return JSON.parse(value) as RouteCapture;
  } catch {
    return undefined;
  }
}
