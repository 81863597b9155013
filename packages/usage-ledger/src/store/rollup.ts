import type { ReportTotals } from "../report/query.ts";

/**
 * The hourly rollup (`usage_hourly`): sums per hour x agent x provider x requested model x
 * routed model x session x trigger, kept in step with every inserted row by a trigger in the
 * same transaction. Grouped reports read it for whole hours and `usage_rows` for the partial
 * hours at the range edges, so both must sum a row the same way: each summed column is defined
 * once here, as what one raw row adds, and the trigger, the rebuild and the report's raw query
 * are all generated from that one definition.
 *
 * A schema step that adds a summed column or a group key adds it here and sets
 * `rebuildsRollup`: the migration then rebuilds the rollup from the raw rows (which retention
 * keeps over the same span), so old hours get the new column too.
 */

/** SQL for what one `usage_rows` row contributes, given the row's alias (`NEW`, a table name). */
type PerRow = (row: string) => string;

interface RollupKey {
  column: string;
  of: PerRow;
}

export interface RollupSum {
  column: string;
  /** The report field it sums into. */
  field: RollupField;
  of: PerRow;
}

/** Every summed column feeds one report total. */
export type RollupField = keyof ReportTotals;

const text = (column: string): RollupKey => ({
  column,
  of: (row) => `coalesce(${row}.${column}, '')`,
});
const sum = (column: string, field: RollupField, of: PerRow = (row) => `${row}.${column}`) => ({
  column,
  field,
  of,
});

export const ROLLUP_KEYS: readonly RollupKey[] = [
  { column: "hour_ms", of: (row) => `(${row}.ts / 3600000) * 3600000` },
  text("agent_id"),
  text("provider"),
  text("model"),
  text("routed_model"),
  text("session_key"),
  text("trigger"),
];

export const ROLLUP_SUMS: readonly RollupSum[] = [
  sum("rows", "rows", () => "1"),
  sum("calls", "calls"),
  sum("errors", "errors", (row) => `coalesce(${row}.outcome = 'error', 0)`),
  sum("input", "input"),
  sum("output", "output"),
  sum("cache_read", "cacheRead"),
  sum("cache_write", "cacheWrite"),
  sum("total", "total"),
  // Known and partial costs; an unknown one adds nothing and is counted instead.
  sum("cost_nusd", "costNano", (row) => `coalesce(${row}.cost_nusd, 0)`),
  sum("cost_partial_rows", "costPartialRows", (row) => `(${row}.cost_state = 'partial')`),
  sum("cost_unknown_rows", "costUnknownRows", (row) => `(${row}.cost_state = 'unknown')`),
  sum(
    "unpriced_calls",
    "unpricedCalls",
    (row) => `CASE WHEN ${row}.cost_state = 'known' THEN 0 ELSE ${row}.calls END`,
  ),
  sum("saving_nusd", "savingNano", (row) => `coalesce(${row}.saving_nusd, 0)`),
  sum("saving_unknown_rows", "savingUnknownRows", (row) => `(${row}.saving_nusd IS NULL)`),
  // Cache accounting (cache-accounting.ts); calls without it are counted, not summed as 0.
  sum(
    "expected_cache_read",
    "expectedCacheRead",
    (row) => `coalesce(${row}.expected_cache_read, 0)`,
  ),
  sum("missed_tokens", "missedTokens", (row) => `coalesce(${row}.missed_tokens, 0)`),
  sum("invalidated_tokens", "invalidatedTokens", (row) => `coalesce(${row}.invalidated_tokens, 0)`),
  sum("accounted_prompt", "accountedPrompt", (row) =>
    accounted(row, `${row}.input + ${row}.cache_read + ${row}.cache_write`, "0"),
  ),
  sum("accounted_read", "accountedRead", (row) => accounted(row, `${row}.cache_read`, "0")),
  sum("unaccounted_calls", "unaccountedCalls", (row) => accounted(row, "0", `${row}.calls`)),
  // What the missed tokens cost over a cache read, where both prices are known.
  sum("missed_cost_nusd", "missedCostNano", (row) => `coalesce(${row}.missed_cost_nusd, 0)`),
  sum(
    "missed_unpriced_rows",
    "missedUnpricedRows",
    (row) => `coalesce(${row}.missed_tokens > 0 AND ${row}.missed_cost_nusd IS NULL, 0)`,
  ),
];

function accounted(row: string, then: string, otherwise: string): string {
  return `CASE WHEN ${row}.expected_cache_read IS NULL THEN ${otherwise} ELSE ${then} END`;
}

const keyColumns = ROLLUP_KEYS.map((key) => key.column).join(", ");

/** `sum(<per row>) AS <field>` for every summed column, over raw rows (the report's edges). */
export function rawSums(row = "usage_rows"): string {
  return ROLLUP_SUMS.map((s) => `sum(${s.of(row)}) AS ${s.field}`).join(", ");
}

/** `sum(<column>) AS <field>` for every summed column, over the rollup. */
export function rollupSums(): string {
  return ROLLUP_SUMS.map((s) => `sum(${s.column}) AS ${s.field}`).join(", ");
}

/** Drops and recreates the rollup and its trigger, refilled from the raw rows. */
export function rebuildRollupSql(): string {
  const columns = [
    ...ROLLUP_KEYS.map(
      (k) => `${k.column} ${k.column === "hour_ms" ? "INTEGER" : "TEXT"} NOT NULL`,
    ),
    ...ROLLUP_SUMS.map((s) => `${s.column} INTEGER NOT NULL`),
  ];
  const allColumns = [...ROLLUP_KEYS, ...ROLLUP_SUMS].map((c) => c.column).join(", ");
  const perRow = (row: string) =>
    [...ROLLUP_KEYS.map((k) => k.of(row)), ...ROLLUP_SUMS.map((s) => s.of(row))].join(", ");
  const grouped = (row: string) =>
    [...ROLLUP_KEYS.map((k) => k.of(row)), ...ROLLUP_SUMS.map((s) => `sum(${s.of(row)})`)].join(
      ", ",
    );
  const accumulate = ROLLUP_SUMS.map((s) => `${s.column} = ${s.column} + excluded.${s.column}`);
  return `
DROP TRIGGER IF EXISTS usage_rows_rollup;
DROP TABLE IF EXISTS usage_hourly;
CREATE TABLE usage_hourly (
  ${columns.join(",\n  ")},
  PRIMARY KEY (${keyColumns})
) STRICT, WITHOUT ROWID;
INSERT INTO usage_hourly (${allColumns})
  SELECT ${grouped("usage_rows")} FROM usage_rows GROUP BY ${ROLLUP_KEYS.map((_, i) => i + 1).join(", ")};
CREATE TRIGGER usage_rows_rollup AFTER INSERT ON usage_rows BEGIN
  INSERT INTO usage_hourly (${allColumns}) VALUES (${perRow("NEW")})
  ON CONFLICT (${keyColumns}) DO UPDATE SET
    ${accumulate.join(",\n    ")};
END;`;
}
