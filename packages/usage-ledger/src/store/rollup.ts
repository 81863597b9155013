import { columnOf, TOTAL_FIELDS, TOTALS } from "../report/totals.ts";

/**
 * The hourly rollup (`usage_hourly`): the report totals (`report/totals.ts`) per hour x every
 * key a report groups by (agent, provider, requested and routed model, session, trigger, miss
 * cause, upstream), kept in step with every inserted row by a trigger in the same transaction.
 * Reports read it for whole hours and `usage_rows` for the partial hours at the range edges;
 * both sum a row by the same declaration, so they cannot disagree.
 *
 * A schema step that adds a total or a key changes what this generates and sets
 * `rebuildsRollup`: the migration then rebuilds the rollup from the raw rows (which retention
 * keeps over the same span), so old hours get the new column too.
 */

/** A group key as the rollup keeps it: text keys store '' for NULL, so they can be a primary key. */
export const ROLLUP_KEYS = [
  "hour_ms",
  "agent_id",
  "provider",
  "model",
  "routed_model",
  "session_key",
  "trigger",
  "miss_cause",
  "upstream_route",
] as const;

const keyOf = (key: (typeof ROLLUP_KEYS)[number], row: string): string =>
  key === "hour_ms" ? `(${row}.ts / 3600000) * 3600000` : `coalesce(${row}.${key}, '')`;

const sumColumns = TOTAL_FIELDS.map((field) => TOTALS[field].column);

/** Drops and recreates the rollup and its trigger, refilled from the raw rows. */
export function rebuildRollupSql(): string {
  const keys = ROLLUP_KEYS.join(", ");
  const columns = [
    ...ROLLUP_KEYS.map((k) => `${k} ${k === "hour_ms" ? "INTEGER" : "TEXT"} NOT NULL`),
    ...sumColumns.map((column) => `${column} INTEGER NOT NULL`),
  ];
  const all = [...ROLLUP_KEYS, ...sumColumns].join(", ");
  const perRow = (row: string, wrap: (sql: string) => string) => [
    ...ROLLUP_KEYS.map((k) => keyOf(k, row)),
    ...TOTAL_FIELDS.map((field) => wrap(TOTALS[field].of(columnOf(row)))),
  ];
  const accumulate = sumColumns.map((column) => `${column} = ${column} + excluded.${column}`);
  return `
DROP TRIGGER IF EXISTS usage_rows_rollup;
DROP TABLE IF EXISTS usage_hourly;
CREATE TABLE usage_hourly (
  ${columns.join(",\n  ")},
  PRIMARY KEY (${keys})
) STRICT, WITHOUT ROWID;
INSERT INTO usage_hourly (${all})
  SELECT ${perRow("usage_rows", (sql) => `sum(${sql})`).join(", ")} FROM usage_rows
  GROUP BY ${ROLLUP_KEYS.map((_, i) => i + 1).join(", ")};
CREATE TRIGGER usage_rows_rollup AFTER INSERT ON usage_rows BEGIN
  INSERT INTO usage_hourly (${all}) VALUES (${perRow("NEW", (sql) => sql).join(", ")})
  ON CONFLICT (${keys}) DO UPDATE SET
    ${accumulate.join(",\n    ")};
END;`;
}
