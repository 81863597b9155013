import type { Row } from "@cloudsigma/taas-core/sql-rows";
import { centralColumnTypes } from "../store/columns.ts";

/*
 * The central ledger table in PostgreSQL: every gateway's `usage_rows`, one row per (gateway,
 * event), so a batch sent twice (at-least-once forwarding) is stored once. Its columns are the
 * local ones (declared once, in store/columns.ts) plus `gateway_id` and `local_id` (the row's
 * id in its gateway's SQLite file); time columns become timestamptz so Grafana and Metabase read
 * them as time.
 */

/**
 * Bumped with every change to the central table; stored per table in `usage_ledger_schema`.
 * Version 2: `beyond_plateau_tokens` (the ledger's schema version 6).
 */
export const PG_SCHEMA_VERSION = 2;

const LOCAL = centralColumnTypes();

export const CENTRAL_COLUMNS = ["gateway_id", "local_id", ...LOCAL.map(([name]) => name)];

/** A valid unquoted identifier, so a configured table name is safe to put in DDL. */
export const TABLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const SQL_TYPE = { text: "text", bigint: "bigint", time: "timestamptz" } as const;

/**
 * The DDL of the current version, run under an advisory lock so two gateways cannot race it. A
 * table an older plugin created gets the columns added since: every one added later is nullable
 * (NULL: not known for the rows forwarded before), so adding each that is missing brings it up.
 */
export function centralTableSql(table: string): string {
  const columns = LOCAL.map(
    ([name, type, required]) => `  ${name} ${SQL_TYPE[type]}${required ? " NOT NULL" : ""}`,
  ).join(",\n");
  const added = LOCAL.filter(([, , required]) => !required).map(
    ([name, type]) => `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${name} ${SQL_TYPE[type]};`,
  );
  return `
CREATE TABLE IF NOT EXISTS ${table} (
  gateway_id text NOT NULL,
  local_id bigint NOT NULL,
${columns},
  PRIMARY KEY (gateway_id, event_id)
);
CREATE INDEX IF NOT EXISTS ${table}_ts ON ${table} (ts);
CREATE INDEX IF NOT EXISTS ${table}_gateway_ts ON ${table} (gateway_id, ts);
${added.join("\n")}`;
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
