import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { openDatabase } from "../sqlite.ts";
import { windowTokens } from "../token-window.ts";
import {
  OPTIMIZER_PLUGIN_ID,
  TOKEN_AUDIT_PLUGIN_ID,
  USAGE_LEDGER_PLUGIN_ID,
} from "./plugin-ids.ts";

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
  affinityId: string;
  /** The workspace's affinity id when `affinityId` is another (per-session scope, a pin). */
  workspaceAffinityId?: string;
  /** The bounded scope's shard of the workspace id the call went on (0: the workspace id itself). */
  affinityShard?: number;
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
  /** What TaaS answered in `X-TaaS-Autorouter-Algorithm-Source`: the algorithm it used, in its words. */
  autorouterAlgorithmSource?: string;
  /** The algorithm the call asked for in `X-TaaS-Autorouter-Algorithm` (auto model calls only). */
  autorouterAlgorithm?: string;
  /** Whose preference that was: the caller's own header, else the session's, agent's or config's. */
  autorouterAlgorithmFrom?: AutorouterAlgorithmFrom;
  thinkingApplied?: boolean;
  /** Tokens, from `X-TaaS-Routed-Context-Window`; only a count `windowTokens` accepts. */
  routedContextWindow?: number;
}

/** Where an asked-for autorouter algorithm came from, most specific first. */
export type AutorouterAlgorithmFrom = "caller" | "session" | "agent" | "config";

/**
 * A capture as JSON: the form the store holds and `taas.autorouter.lastRoute` answers with. The
 * affinity ids keep the names they were published under (`sessionId`, as in the request's
 * `metadata.session_id`), so stores written by earlier versions, and callers of the method,
 * read them as they always have.
 */
export type RouteCaptureJson = Omit<RouteCapture, "affinityId" | "workspaceAffinityId"> & {
  sessionId: string;
  workspaceSessionId?: string;
};

export function routeCaptureJson(capture: RouteCapture): RouteCaptureJson {
  const { capturedAt, affinityId, workspaceAffinityId, ...rest } = capture;
  const workspace =
    workspaceAffinityId === undefined ? {} : { workspaceSessionId: workspaceAffinityId };
  return { capturedAt, sessionId: affinityId, ...workspace, ...rest };
}

function captureFromJson(json: RouteCaptureJson): RouteCapture {
  const { capturedAt, sessionId, workspaceSessionId, ...rest } = json;
  const workspace =
    workspaceSessionId === undefined ? {} : { workspaceAffinityId: workspaceSessionId };
  return { capturedAt, affinityId: sessionId, ...workspace, ...rest };
}

/**
 * One request's prompt as short digests, in the order a provider's prefix cache reads it: the
 * tool schemas, then the messages. The usage ledger compares a call's prefix with the previous
 * call of the same affinity id to find what it could have read from cache, and where the prompt
 * changed when it could not. Digests only: no prompt text is stored.
 */
export interface PromptPrefix {
  /** `[digest, characters]` per tool schema, then per message, as sent. */
  segments: Array<[string, number]>;
  /** How many of `segments` are tool schemas. */
  tools: number;
  /** How many messages after the tools are leading system or developer messages. */
  system: number;
  /** True when the prompt had more segments than are kept: the tail was not compared. */
  truncated?: boolean;
}

/**
 * Who is on each side: the optimizer owns the store; `lastRoute`, the ledger and the token audit
 * (both price an autorouted call by the model it was routed to) read it.
 */
export const ROUTE_STORE_PLUGINS = {
  owner: OPTIMIZER_PLUGIN_ID,
  readers: [OPTIMIZER_PLUGIN_ID, USAGE_LEDGER_PLUGIN_ID, TOKEN_AUDIT_PLUGIN_ID],
} as const;

/** The store under the OpenClaw state dir, in the owner's folder (its manifest backs it up). */
export const routeStorePath = (stateDir: string): string =>
  join(stateDir, ROUTE_STORE_PLUGINS.owner, "routes.sqlite");

/** The tables the writer keeps and the reader queries (the writer's schema creates them). */
export const ROUTE_TABLES = {
  latest: "latest_route",
  calls: "call_route",
  prefixes: "call_prefix",
} as const;

/** What a latest capture is found by: an affinity id (the one sent, or the workspace's) or an agent id. */
export type RouteScope = "affinity" | "agent";

/** `latest_route.scope` as stored: an affinity id's rows keep the store's first name, 'session'. */
export const STORED_SCOPE = {
  affinity: "session",
  agent: "agent",
} as const satisfies Record<RouteScope, string>;

/** What a reader can ask. */
interface RouteLookup {
  /** The latest capture for an affinity id or an agent id. */
  latest(scope: RouteScope, key: string): RouteCapture | undefined;
  /** The capture of one model call (`<runId>:model:<n>`). */
  byCallId(callId: string): RouteCapture | undefined;
  /** The prompt prefix digests of one model call, computed after it was sent. */
  prefixByCallId(callId: string): PromptPrefix | undefined;
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
      `SELECT capture AS value FROM ${ROUTE_TABLES.latest} WHERE scope = ? AND key = ?`,
      STORED_SCOPE[scope],
      key,
    );
  }

  byCallId(callId: string): RouteCapture | undefined {
    return this.#one(
      `SELECT capture AS value FROM ${ROUTE_TABLES.calls} WHERE call_id = ?`,
      callId,
    );
  }

  prefixByCallId(callId: string): PromptPrefix | undefined {
    const raw = this.#value(
      `SELECT prefix AS value FROM ${ROUTE_TABLES.prefixes} WHERE call_id = ?`,
      callId,
    );
    return parsePrefix(raw);
  }

  close(): void {
    this.#db?.close();
    this.#db = undefined;
  }

  #one(sql: string, ...params: string[]): RouteCapture | undefined {
    return parseCapture(this.#value(sql, ...params));
  }

  #value(sql: string, ...params: string[]): unknown {
    const db = this.#open();
    if (!db) return undefined;
    try {
      return db.prepare(sql).get(...params)?.value;
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

function parseCapture(value: unknown): RouteCapture | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const capture = captureFromJson(JSON.parse(value) as RouteCaptureJson);
    // A store written before the window was bounded may hold one as sent: it is left out.
    if (windowTokens(capture.routedContextWindow) === undefined) delete capture.routedContextWindow;
    return capture;
  } catch {
    return undefined;
  }
}

function parsePrefix(value: unknown): PromptPrefix | undefined {
  if (typeof value !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const prefix = parsed as Partial<PromptPrefix>;
    return Array.isArray(prefix.segments) &&
      typeof prefix.tools === "number" &&
      typeof prefix.system === "number"
      ? (prefix as PromptPrefix)
      : undefined;
  } catch {
    return undefined;
  }
}
