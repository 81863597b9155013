import type { Row } from "@cloudsigma/taas-core/sql-rows";
import { centralColumnTypes } from "../store/columns.ts";

/*
 * The central ledger table in PostgreSQL: every gateway's `usage_rows`, one row per (gateway,
 * event), so a batch sent twice (at-least-once forwarding) is stored once. Its columns are the
 * local ones (declared once, in store/columns.ts) plus `gateway_id` and `local_id` (the row's
 * id in its gateway's SQLite file); time columns become timestamptz so Grafana and Metabase read
 * them as time. The table is range-partitioned by UTC day on `ts` (partitions.ts), so retention
 * drops whole days and a read of a few hours touches one or two partitions; whole hours are
 * read from the hourly rollup beside it (rollup.ts).
 */

/**
 * Bumped with every change to the central table; stored per table in `usage_ledger_schema`.
 * Version 2: `beyond_plateau_tokens` (the ledger's schema version 6). Version 3: partitioned by
 * day, with the hourly rollup `<table>_hourly`; an older (unpartitioned) table is migrated in
 * place (central-table.ts).
 */
export const PG_SCHEMA_VERSION = 3;

const LOCAL = centralColumnTypes();

export const CENTRAL_COLUMNS = ["gateway_id", "local_id", ...LOCAL.map(([name]) => name)];

/**
 * A valid unquoted identifier, so a configured table name is safe to put in DDL; at most 48
 * characters, so `<table>_unpartitioned` and `<table>_pYYYYMMDD` fit PostgreSQL's 63.
 */
export const TABLE_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

const SQL_TYPE = { text: "text", bigint: "bigint", time: "timestamptz" } as const;

/** Columns added to the local ledger after the central table's first version (all nullable). */
export function addedColumnsSql(table: string): string {
  return LOCAL.filter(([, , required]) => !required)
    .map(
      ([name, type]) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${name} ${SQL_TYPE[type]};`,
    )
    .join("\n");
}

/**
 * The partitioned table's DDL, run under an advisory lock so two gateways cannot race it. The
 * key carries `ts` because a partitioned table's unique keys must hold its partition key; a
 * resent row has the same ts, so the key still stores it once. Indexes: the key (the resend
 * check), and `ts` in each day for the partial hours at a report's ends and the session drill
 * down; whole hours come from the rollup, which needs no index on the raw rows.
 */
export function centralTableSql(table: string): string {
  const columns = LOCAL.map(
    ([name, type, required]) => `  ${name} ${SQL_TYPE[type]}${required ? " NOT NULL" : ""}`,
  ).join(",\n");
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  gateway_id text NOT NULL,
  local_id bigint NOT NULL,
${columns},
  PRIMARY KEY (gateway_id, event_id, ts)
) PARTITION BY RANGE (ts);
CREATE INDEX IF NOT EXISTS ${table}_ts ON ${table} (ts);
${addedColumnsSql(table)}`;
}

export type CentralValue = string | number | Date | null;

/** One local `usage_rows` row as the central table's values (CENTRAL_COLUMNS order). */
export function centralRow(gatewayId: string, row: Row): Record<string, CentralValue> {
  const out: Record<string, CentralValue> = { gateway_id: gatewayId, local_id: Number(row.id) };
  for (const [name, type] of LOCAL) {
    const value = row[name];
    out[name] =
      value === null || value === undefined
        ? null
        : type === "time"
          ? new Date(Number(value))
          : type === "text"
            ? String(value)
            : Number(value);
  }
  return out;
}
