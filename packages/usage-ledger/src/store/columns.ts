import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import type { MissCause } from "../cache/accounting.ts";

/**
 * The usage ledger's SQLite schema. `usage_rows` holds one row per model call (or per run,
 * see `granularity`), unique by `event_id` so a replayed event is ignored. Costs are integer
 * nano-dollars (1e-9 USD) so sums stay exact; `cost_state` says whether a cost is known,
 * partial (a token kind used had no price) or unknown (NULL cost).
 *
 * The table is created as version 1 shipped it (below, frozen: ledgers on operators' machines
 * are at `user_version = 1`) and brought to the current layout by the steps in
 * `ledger-migrate.ts`, the same way for a new file as for an old one. The hourly rollup and
 * its trigger are defined in `ledger-rollup.ts`. Current `usage_rows` columns beyond v1:
 *   v2: routed_model TEXT (the model TaaS routed an autorouted call to; it prices the call),
 *       cost_state TEXT NOT NULL ('known' | 'partial' | 'unknown').
 *   v3: affinity_id, expected_cache_read, missed_tokens, invalidated_tokens, miss_cause, miss_at
 *       (the cache accounting, cache-accounting.ts), missed_cost_nusd (what the missed tokens
 *       cost beyond a cache read, where the input and cache-read prices are known).
 */
export const USAGE_ROWS_V1 = `
CREATE TABLE IF NOT EXISTS usage_rows (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  ts INTEGER NOT NULL,
  granularity TEXT NOT NULL CHECK (granularity IN ('call', 'run')),
  calls INTEGER NOT NULL CHECK (calls >= 0),
  agent_id TEXT,
  session_key TEXT,
  session_id TEXT,
  run_id TEXT,
  call_id TEXT,
  trigger TEXT,
  provider TEXT,
  model TEXT,
  upstream_route TEXT,
  input INTEGER NOT NULL CHECK (input >= 0),
  output INTEGER NOT NULL CHECK (output >= 0),
  cache_read INTEGER NOT NULL CHECK (cache_read >= 0),
  cache_write INTEGER NOT NULL CHECK (cache_write >= 0),
  total INTEGER NOT NULL CHECK (total >= 0),
  usage_known INTEGER NOT NULL CHECK (usage_known IN (0, 1)),
  cost_nusd INTEGER,
  cost_source TEXT CHECK (cost_source IN ('host', 'catalog')),
  saving_nusd INTEGER,
  latency_ms INTEGER,
  ttfb_ms INTEGER,
  outcome TEXT,
  error_category TEXT,
  recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS usage_rows_ts ON usage_rows (ts);
CREATE INDEX IF NOT EXISTS usage_rows_session_ts ON usage_rows (session_key, ts);
CREATE INDEX IF NOT EXISTS usage_rows_run ON usage_rows (run_id);
`;

export const INSERT_USAGE_ROW = `
INSERT INTO usage_rows (event_id, ts, granularity, calls, agent_id, session_key, session_id,
  run_id, call_id, trigger, provider, model, routed_model, upstream_route, input, output,
  cache_read, cache_write, total, usage_known, cost_nusd, cost_state, cost_source, saving_nusd,
  latency_ms, ttfb_ms, outcome, error_category, recorded_at, affinity_id, expected_cache_read,
  missed_tokens, invalidated_tokens, miss_cause, miss_at, missed_cost_nusd)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
  ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (event_id) DO NOTHING`;

/** What the writer adds to a call row once the call is over: its cache accounting. */
export interface CacheColumns {
  /** The affinity id the call was sent with (from the optimizer's capture). */
  affinityId: string | null;
  expected: number | null;
  missed: number | null;
  invalidated: number | null;
  cause: MissCause | null;
  divergedAt: number | null;
  /** What the missed tokens cost beyond a cache read (nano-USD), when both prices are known. */
  missedCostNano?: number | null;
}

/** A queued ledger row: the tracker's record, plus what the writer fills in at write time. */
export type LedgerRow = UsageRecord & { cache?: CacheColumns };

/** Positional parameters for INSERT_USAGE_ROW. */
export function usageRowParams(
  record: LedgerRow,
  recordedAt: number,
): Array<string | number | null> {
  const { usage, cache } = record;
  return [
    record.eventId,
    Math.trunc(record.ts),
    record.granularity,
    record.calls,
    record.agentId,
    record.sessionKey,
    record.sessionId,
    record.runId,
    record.callId,
    record.trigger,
    record.provider,
    record.model,
    record.routedModel,
    record.upstreamRoute,
    usage.input,
    usage.output,
    usage.cacheRead,
    usage.cacheWrite,
    usage.total,
    usage.known ? 1 : 0,
    record.costNano,
    record.costState,
    record.costSource,
    record.savingNano,
    record.latencyMs,
    record.ttfbMs,
    record.outcome,
    record.errorCategory,
    Math.trunc(recordedAt),
    cache?.affinityId ?? null,
    cache?.expected ?? null,
    cache?.missed ?? null,
    cache?.invalidated ?? null,
    cache?.cause ?? null,
    cache?.divergedAt ?? null,
    cache?.missedCostNano ?? null,
  ];
}
