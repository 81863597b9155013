import type { Row } from "@cloudsigma/taas-core/sql-rows";

/*
 * The central ledger table in PostgreSQL: every gateway's `usage_rows`, one row per (gateway,
 * event), so a batch sent twice (at-least-once forwarding) is stored once. Columns keep the
 * local names; `ts` and `recorded_at` become timestamptz so Grafana and Metabase read them as
 * time; `local_id` is the row's id in its gateway's SQLite file.
 */

/** Bumped with every change to the central table; stored per table in `usage_ledger_schema`. */
export const PG_SCHEMA_VERSION = 1;

/**
 * Local columns copied as they are, in INSERT order, with their central type: `t` text,
 * `n` bigint, `T`/`N` the same, NOT NULL.
 */
const COPIED = {
  event_id: "T",
  granularity: "T",
  calls: "N",
  agent_id: "t",
  session_key: "t",
  session_id: "t",
  run_id: "t",
  call_id: "t",
  trigger: "t",
  provider: "t",
  model: "t",
  routed_model: "t",
  upstream_route: "t",
  input: "N",
  output: "N",
  cache_read: "N",
  cache_write: "N",
  total: "N",
  usage_known: "N",
  cost_nusd: "n",
  cost_state: "T",
  cost_source: "t",
  saving_nusd: "n",
  latency_ms: "n",
  ttfb_ms: "n",
  outcome: "t",
  error_category: "t",
  affinity_id: "t",
  expected_cache_read: "n",
  missed_tokens: "n",
  invalidated_tokens: "n",
  miss_cause: "t",
  miss_at: "n",
  missed_cost_nusd: "n",
} as const satisfies Record<string, "t" | "T" | "n" | "N">;

type Copied = keyof typeof COPIED;
export const COPIED_COLUMNS = Object.keys(COPIED) as Copied[];
const isText = (column: Copied) => COPIED[column].toLowerCase() === "t";

export const CENTRAL_COLUMNS = ["gateway_id", "local_id", "ts", "recorded_at", ...COPIED_COLUMNS];

/** A valid unquoted identifier, so a configured table name is safe to put in DDL. */
export const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The DDL of version 1, run under an advisory lock so two gateways cannot race it. */
export function centralTableSql(table: string): string {
  const copied = COPIED_COLUMNS.map((column) => {
    const kind = COPIED[column];
    return `  ${column} ${isText(column) ? "text" : "bigint"}${kind === kind.toUpperCase() ? " NOT NULL" : ""}`;
  }).join(",\n");
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  gateway_id text NOT NULL,
  local_id bigint NOT NULL,
  ts timestamptz NOT NULL,
  recorded_at timestamptz NOT NULL,
${copied},
  PRIMARY KEY (gateway_id, event_id)
);
CREATE INDEX IF NOT EXISTS ${table}_ts ON ${table} (ts);
CREATE INDEX IF NOT EXISTS ${table}_gateway_ts ON ${table} (gateway_id, ts);`;
}

export type CentralValue = string | number | Date | null;

/** One local `usage_rows` row as the central table's values (CENTRAL_COLUMNS order). */
export function centralRow(gatewayId: string, row: Row): Record<string, CentralValue> {
  const out: Record<string, CentralValue> = {
    gateway_id: gatewayId,
    local_id: Number(row.id),
    ts: new Date(Number(row.ts)),
    recorded_at: new Date(Number(row.recorded_at)),
  };
  for (const column of COPIED_COLUMNS) {
    const value = row[column];
    out[column] =
      value === null || value === undefined ? null : isText(column) ? String(value) : Number(value);
  }
  return out;
}
