import { pollRows } from "../../../test-support/sqlite-rows.ts";

/** A `usage_rows` row as the end-to-end tests read it. */
export interface LedgerRow {
  event_id: string;
  ts: number;
  granularity: string;
  calls: number;
  agent_id: string | null;
  session_key: string | null;
  run_id: string | null;
  call_id: string | null;
  trigger: string | null;
  provider: string | null;
  model: string | null;
  routed_model: string | null;
  upstream_route: string | null;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  total: number;
  cost_nusd: number | null;
  cost_state: string;
  cost_source: string | null;
  saving_nusd: number | null;
  latency_ms: number | null;
  outcome: string | null;
  affinity_id: string | null;
  expected_cache_read: number | null;
  missed_tokens: number | null;
  invalidated_tokens: number | null;
  miss_cause: string | null;
  beyond_plateau_tokens: number | null;
}

/** The JSON of the report method and of `report --json`, as far as the tests read it. */
export interface ReportPayload {
  by: string;
  rows: Array<{
    key: string | null;
    calls: number;
    input: number;
    cacheRead: number;
    hitPercent: number | null;
    costUsd: number | null;
    costState: string;
    unpricedCalls: number;
  }>;
  totals: {
    calls: number;
    hitPercent: number | null;
    costState: string;
    unpricedCalls: number;
  };
}

/** Committed ledger rows, as another process reads them; none while the plugin creates the file. */
export function readLedgerRows(ledger: string, where = "1 = 1", ...params: string[]): LedgerRow[] {
  const sql = `SELECT * FROM usage_rows WHERE ${where} ORDER BY id`;
  return pollRows(ledger, sql, ...params) as unknown as LedgerRow[];
}
