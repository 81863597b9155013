import type { DatabaseSync } from "node:sqlite";
import { type Row, rowInt, rowText } from "@cloudsigma/taas-core/sql-rows";
import type { PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import type { GeometryLookup } from "../cache/geometry.ts";
import { openLedgerForReading } from "../report/read.ts";
import type { KeepWarmAnswer } from "./advice-types.ts";
import { type AdvisorCall, adviseKeepWarm } from "./advisor.ts";

/** The newest calls the advisor reads at most: a busy week stays a bounded read. */
export const MAX_ADVISOR_CALLS = 200_000;

export interface AdvisorQuery {
  since: number;
  until: number;
  agent?: string;
}

export interface AdvisorLookups {
  geometry: GeometryLookup;
  prices: PriceLookup;
}

/** Calls with an affinity id in [since, until), per affinity id in time order. */
const CALLS_SQL = `SELECT * FROM (
  SELECT affinity_id, agent_id, provider, coalesce(routed_model, model) AS model, ts, latency_ms,
    input, cache_read, cache_write, trigger, miss_cause, missed_tokens, missed_cost_nusd,
    cost_nusd, cost_state, saving_nusd
  FROM usage_rows
  WHERE granularity = 'call' AND affinity_id IS NOT NULL AND ts >= ? AND ts < ?
    AND (? IS NULL OR agent_id = ?)
  ORDER BY ts DESC LIMIT ${MAX_ADVISOR_CALLS}
) ORDER BY affinity_id, ts`;

const nullableInt = (row: Row, key: string): number | null =>
  row[key] === null || row[key] === undefined ? null : Number(row[key]);

function callOf(row: Row): AdvisorCall {
  return {
    affinityId: rowText(row, "affinity_id") ?? "",
    agentId: rowText(row, "agent_id"),
    provider: rowText(row, "provider"),
    model: rowText(row, "model"),
    ts: rowInt(row, "ts"),
    latencyMs: nullableInt(row, "latency_ms"),
    input: rowInt(row, "input"),
    cacheRead: rowInt(row, "cache_read"),
    cacheWrite: rowInt(row, "cache_write"),
    trigger: rowText(row, "trigger"),
    cause: rowText(row, "miss_cause"),
    missedTokens: nullableInt(row, "missed_tokens"),
    missedCostNano: nullableInt(row, "missed_cost_nusd"),
    costNano: nullableInt(row, "cost_nusd"),
    costState: rowText(row, "cost_state") ?? "unknown",
    savingNano: nullableInt(row, "saving_nusd"),
  };
}

/** The advice over one open ledger connection. */
export function queryKeepWarm(
  db: DatabaseSync,
  query: AdvisorQuery,
  lookups: AdvisorLookups,
): KeepWarmAnswer {
  const agent = query.agent ?? null;
  const rows = db.prepare(CALLS_SQL).all(query.since, query.until, agent, agent) as Row[];
  const advice = adviseKeepWarm({
    calls: rows.map(callOf),
    ttlMs: (provider, model) => lookups.geometry(provider, model).ttlMs,
    prices: lookups.prices,
  });
  return { since: query.since, until: query.until, ...advice };
}

/** The advice from the ledger file (a ledger not created yet advises nothing). */
export function readKeepWarm(
  path: string,
  query: AdvisorQuery,
  lookups: AdvisorLookups,
): KeepWarmAnswer {
  const db = openLedgerForReading(path);
  if (!db) return { since: query.since, until: query.until, groups: [] };
  try {
    return queryKeepWarm(db, query, lookups);
  } finally {
    db.close();
  }
}
