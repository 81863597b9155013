import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import { MISS_CAUSES, type MissCause } from "../cache/accounting.ts";

/**
 * Every column of the ledger's `usage_rows` table, declared once. The INSERT and its
 * parameters, the central PostgreSQL table (its DDL and the values a forwarded row carries) and
 * the check that a migrated file has exactly this layout all come from this table; what the
 * reports sum is declared beside it in `report/totals.ts`, over these columns.
 *
 * Each entry: `sqlite`, the column's declaration as the migration steps (`migrate.ts`) create
 * it (the file on disk only changes through those steps, and `columns.test.ts` holds the two
 * together); `pg`, its type in the central table (`time` columns become timestamptz there, so
 * Grafana reads them as time); `of`, its value in a finished row. Costs are integer nano-dollars
 * (1e-9 USD), so sums stay exact; `cost_state` says whether a cost is known, partial (a token
 * kind used had no price) or unknown (NULL cost).
 */

/** What the writer adds to a call row once the call is over: its cache accounting. */
export interface CacheColumns {
  /** The affinity id the call was sent with (from the optimizer's capture). */
  affinityId: string | null;
  /** The optimizer's bounded-scope shard of that id; null in its other scopes or without it. */
  affinityShard?: number | null;
  expected: number | null;
  missed: number | null;
  invalidated: number | null;
  cause: MissCause | null;
  divergedAt: number | null;
  /** What the missed tokens cost beyond a cache read (nano-USD), when both prices are known. */
  missedCostNano?: number | null;
  /** Shared prefix past where the provider's cache reads stop (its plateau). */
  beyondPlateau?: number | null;
  /**
   * Not a column: set when this call changed what the ledger learned of its model's plateau
   * (the new plateau, or null when a read past it disproved it), kept beside the row's batch.
   */
  learnedPlateau?: number | null;
}

/** A queued ledger row: the tracker's record, plus what the writer fills in at write time. */
export type LedgerRow = UsageRecord & { cache?: CacheColumns };

/** Where the prices of a repriced row came from (config over listing, per token kind). */
export const REPRICE_SOURCES = ["config", "listing", "config+listing"] as const;
export type RepriceSource = (typeof REPRICE_SOURCES)[number];

export type SqlValue = string | number | null;
type PgType = "text" | "bigint" | "time";

interface Column {
  sqlite: string;
  pg: PgType;
  /** NOT NULL in the central table too. */
  required?: true;
  of: (row: LedgerRow, recordedAt: number) => SqlValue;
}

const count = (name: string) => `INTEGER NOT NULL CHECK (${name} >= 0)`;
/** A count of the cache accounting: NULL where the call was not accounted, never a made-up 0. */
const accountedCount = (
  name: string,
  of: (cache: CacheColumns) => number | null | undefined,
): Column => ({
  sqlite: `INTEGER CHECK (${name} >= 0)`,
  pg: "bigint",
  of: (row) => (row.cache ? (of(row.cache) ?? null) : null),
});

export const COLUMNS = {
  event_id: { sqlite: "TEXT NOT NULL UNIQUE", pg: "text", required: true, of: (r) => r.eventId },
  ts: { sqlite: "INTEGER NOT NULL", pg: "time", required: true, of: (r) => Math.trunc(r.ts) },
  granularity: {
    sqlite: "TEXT NOT NULL CHECK (granularity IN ('call', 'run'))",
    pg: "text",
    required: true,
    of: (r) => r.granularity,
  },
  calls: { sqlite: count("calls"), pg: "bigint", required: true, of: (r) => r.calls },
  agent_id: { sqlite: "TEXT", pg: "text", of: (r) => r.agentId },
  session_key: { sqlite: "TEXT", pg: "text", of: (r) => r.sessionKey },
  session_id: { sqlite: "TEXT", pg: "text", of: (r) => r.sessionId },
  run_id: { sqlite: "TEXT", pg: "text", of: (r) => r.runId },
  call_id: { sqlite: "TEXT", pg: "text", of: (r) => r.callId },
  trigger: { sqlite: "TEXT", pg: "text", of: (r) => r.trigger },
  provider: { sqlite: "TEXT", pg: "text", of: (r) => r.provider },
  model: { sqlite: "TEXT", pg: "text", of: (r) => r.model },
  // The model TaaS routed an autorouted call to; it prices the call.
  routed_model: { sqlite: "TEXT", pg: "text", of: (r) => r.routedModel },
  upstream_route: { sqlite: "TEXT", pg: "text", of: (r) => r.upstreamRoute },
  input: { sqlite: count("input"), pg: "bigint", required: true, of: (r) => r.usage.input },
  output: { sqlite: count("output"), pg: "bigint", required: true, of: (r) => r.usage.output },
  cache_read: {
    sqlite: count("cache_read"),
    pg: "bigint",
    required: true,
    of: (r) => r.usage.cacheRead,
  },
  cache_write: {
    sqlite: count("cache_write"),
    pg: "bigint",
    required: true,
    of: (r) => r.usage.cacheWrite,
  },
  total: { sqlite: count("total"), pg: "bigint", required: true, of: (r) => r.usage.total },
  usage_known: {
    sqlite: "INTEGER NOT NULL CHECK (usage_known IN (0, 1))",
    pg: "bigint",
    required: true,
    of: (r) => (r.usage.known ? 1 : 0),
  },
  cost_nusd: { sqlite: "INTEGER", pg: "bigint", of: (r) => r.costNano },
  cost_state: {
    sqlite: "TEXT NOT NULL DEFAULT 'unknown' CHECK (cost_state IN ('known', 'partial', 'unknown'))",
    pg: "text",
    required: true,
    of: (r) => r.costState,
  },
  cost_source: {
    sqlite: "TEXT CHECK (cost_source IN ('host', 'catalog'))",
    pg: "text",
    of: (r) => r.costSource,
  },
  saving_nusd: { sqlite: "INTEGER", pg: "bigint", of: (r) => r.savingNano },
  latency_ms: { sqlite: "INTEGER", pg: "bigint", of: (r) => r.latencyMs },
  ttfb_ms: { sqlite: "INTEGER", pg: "bigint", of: (r) => r.ttfbMs },
  outcome: { sqlite: "TEXT", pg: "text", of: (r) => r.outcome },
  error_category: { sqlite: "TEXT", pg: "text", of: (r) => r.errorCategory },
  recorded_at: {
    sqlite: "INTEGER NOT NULL",
    pg: "time",
    required: true,
    of: (_r, recordedAt) => Math.trunc(recordedAt),
  },
  // The cache accounting (cache/accounting.ts): NULL on rows it did not account, never 0.
  affinity_id: { sqlite: "TEXT", pg: "text", of: (r) => r.cache?.affinityId ?? null },
  // The bounded scope's shard the call went on (0: the agent's workspace id itself).
  affinity_shard: {
    sqlite: "INTEGER CHECK (affinity_shard >= 0)",
    pg: "bigint",
    of: (r) => r.cache?.affinityShard ?? null,
  },
  expected_cache_read: accountedCount("expected_cache_read", (c) => c.expected),
  missed_tokens: accountedCount("missed_tokens", (c) => c.missed),
  invalidated_tokens: accountedCount("invalidated_tokens", (c) => c.invalidated),
  miss_cause: {
    sqlite: `TEXT CHECK (miss_cause IN (${MISS_CAUSES.map((c) => `'${c}'`).join(", ")}))`,
    pg: "text",
    of: (r) => r.cache?.cause ?? null,
  },
  miss_at: accountedCount("miss_at", (c) => c.divergedAt),
  // What the missed tokens cost beyond a cache read, where the input and cache-read prices are known.
  missed_cost_nusd: accountedCount("missed_cost_nusd", (c) => c.missedCostNano),
  // Shared prefix past the provider's plateau: a provider limit, in neither missed nor LOST.
  beyond_plateau_tokens: accountedCount("beyond_plateau_tokens", (c) => c.beyondPlateau),
  // When `usage-ledger reprice` priced a row recorded without a complete price, and whose
  // prices did it: the operator's config, the gateway's listing, or both. NULL on a row priced
  // when it was written.
  repriced_at: { sqlite: "INTEGER", pg: "time", of: () => null },
  repriced_from: {
    sqlite: `TEXT CHECK (repriced_from IN (${REPRICE_SOURCES.map((s) => `'${s}'`).join(", ")}))`,
    pg: "text",
    of: () => null,
  },
} as const satisfies Record<string, Column>;

export type ColumnName = keyof typeof COLUMNS;
export const COLUMN_NAMES = Object.keys(COLUMNS) as ColumnName[];
const columnList = (): Array<[ColumnName, Column]> =>
  COLUMN_NAMES.map((name) => [name, COLUMNS[name]]);

/** A replayed event (same event id) is ignored: the first write of a call stands. */
export const INSERT_USAGE_ROW = `INSERT INTO usage_rows (${COLUMN_NAMES.join(", ")})
VALUES (${COLUMN_NAMES.map(() => "?").join(", ")})
ON CONFLICT (event_id) DO NOTHING`;

/** Positional parameters for INSERT_USAGE_ROW. */
export function usageRowParams(row: LedgerRow, recordedAt: number): SqlValue[] {
  return columnList().map(([, column]) => column.of(row, recordedAt));
}

/** The columns the central table keeps as their local values, and their central types. */
export const centralColumnTypes = (): Array<[ColumnName, PgType, boolean]> =>
  columnList().map(([name, column]) => [name, column.pg, "required" in column]);
