import { columnOf, TOTAL_FIELDS, TOTALS } from "../report/totals.ts";
import { ROLLUPS } from "../store/rollup.ts";

/*
 * The central hourly rollup, `<table>_hourly`: the report totals (report/totals.ts) per hour x
 * gateway x every key the local daily rollup keeps (agent, provider, requested and routed model,
 * trigger, miss cause, upstream; store/rollup.ts), so every report but `--by session` reads whole
 * hours from it. Each forwarder adds its batch in the same statement that inserts the raw rows:
 * only the rows that INSERT ... ON CONFLICT DO NOTHING actually stored (RETURNING) are summed
 * in, so a batch resent after a crash or a lost answer adds nothing the second time.
 */

export const rollupTable = (table: string): string => `${table}_hourly`;

/** The rollup's keys after the hour; text keys keep '' for NULL so they can be a primary key. */
export const ROLLUP_KEYS = ["gateway_id", ...ROLLUPS.daily.keys] as const;

const SUM_COLUMNS = TOTAL_FIELDS.map((field) => TOTALS[field].column);

export function rollupTableSql(table: string): string {
  return `
CREATE TABLE IF NOT EXISTS ${rollupTable(table)} (
  hour timestamptz NOT NULL,
  ${ROLLUP_KEYS.map((key) => `${key} text NOT NULL`).join(",\n  ")},
  ${SUM_COLUMNS.map((column) => `${column} bigint NOT NULL`).join(",\n  ")},
  PRIMARY KEY (hour, ${ROLLUP_KEYS.join(", ")})
);`;
}

/** The hour a raw row's `ts` falls in, whatever the session's time zone. */
const HOUR_OF_TS = "to_timestamp(floor(extract(epoch FROM ts) / 3600) * 3600)";

/**
 * Adds the rows of `source` (a table, or the CTE of the rows just inserted) into the rollup: one
 * upsert per (hour, keys) that adds its sums to what the hour already holds.
 */
export function addToRollupSql(table: string, source: string): string {
  const keys = ["hour", ...ROLLUP_KEYS];
  const values = [
    HOUR_OF_TS,
    ...ROLLUP_KEYS.map((key) => (key === "gateway_id" ? key : `coalesce(${key}, '')`)),
    ...TOTAL_FIELDS.map((field) => `sum(${TOTALS[field].of(columnOf(""))})`),
  ];
  const rollup = rollupTable(table);
  return `INSERT INTO ${rollup} (${[...keys, ...SUM_COLUMNS].join(", ")})
SELECT ${values.join(", ")}
FROM ${source}
GROUP BY ${keys.map((_, i) => i + 1).join(", ")}
ON CONFLICT (${keys.join(", ")}) DO UPDATE SET
  ${SUM_COLUMNS.map((column) => `${column} = ${rollup}.${column} + excluded.${column}`).join(",\n  ")}`;
}
