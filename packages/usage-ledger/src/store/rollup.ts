import { columnOf, TOTAL_FIELDS, TOTALS } from "../report/totals.ts";

/**
 * The rollups: the report totals (`report/totals.ts`) summed per time bucket x every key a
 * report groups by, kept in step with every inserted row by one trigger in the same
 * transaction. `usage_hourly` keeps hours and the session (for `--by hour` and `--by session`,
 * and the whole hours at a range's edges); `usage_daily` keeps whole UTC days without the
 * session, which makes it small enough that a report over a month of a busy gateway reads a
 * few thousand rows. Reports read raw `usage_rows` only for the partial hours at the ends of a
 * range; every table sums a row by the same declaration, so they cannot disagree.
 *
 * A schema step that adds a total or a key changes what this generates and sets
 * `rebuildsRollup`: the migration then rebuilds both from the raw rows (which retention keeps
 * over the same span), so old hours and days get the new column too.
 */

const GROUP_KEYS = [
  "agent_id",
  "provider",
  "model",
  "routed_model",
  "trigger",
  "miss_cause",
  "upstream_route",
] as const;

export const ROLLUPS = {
  hourly: {
    table: "usage_hourly",
    time: "hour_ms",
    bucketMs: 3_600_000,
    keys: [...GROUP_KEYS.slice(0, 4), "session_key", ...GROUP_KEYS.slice(4)],
  },
  daily: { table: "usage_daily", time: "day_ms", bucketMs: 86_400_000, keys: GROUP_KEYS },
} as const;
type Rollup = (typeof ROLLUPS)[keyof typeof ROLLUPS];

const sumColumns = TOTAL_FIELDS.map((field) => TOTALS[field].column);

/** A key as a rollup keeps it: text keys store '' for NULL, so they can be a primary key. */
const keysOf = (rollup: Rollup, row: string): string[] => [
  `(${row}.ts / ${rollup.bucketMs}) * ${rollup.bucketMs}`,
  ...rollup.keys.map((key) => `coalesce(${row}.${key}, '')`),
];
const sumsOf = (row: string, wrap: (sql: string) => string): string[] =>
  TOTAL_FIELDS.map((field) => wrap(TOTALS[field].of(columnOf(row))));

function tableSql(rollup: Rollup): string {
  const keys = [rollup.time, ...rollup.keys];
  const columns = [
    `${rollup.time} INTEGER NOT NULL`,
    ...rollup.keys.map((key) => `${key} TEXT NOT NULL`),
    ...sumColumns.map((column) => `${column} INTEGER NOT NULL`),
  ];
  return `
DROP TABLE IF EXISTS ${rollup.table};
CREATE TABLE ${rollup.table} (
  ${columns.join(",\n  ")},
  PRIMARY KEY (${keys.join(", ")})
) STRICT, WITHOUT ROWID;
INSERT INTO ${rollup.table} (${[...keys, ...sumColumns].join(", ")})
  SELECT ${[...keysOf(rollup, "usage_rows"), ...sumsOf("usage_rows", (s) => `sum(${s})`)].join(", ")}
  FROM usage_rows GROUP BY ${keys.map((_, i) => i + 1).join(", ")};`;
}

function addRowSql(rollup: Rollup): string {
  const keys = [rollup.time, ...rollup.keys];
  const values = [...keysOf(rollup, "NEW"), ...sumsOf("NEW", (s) => s)];
  return `  INSERT INTO ${rollup.table} (${[...keys, ...sumColumns].join(", ")}) VALUES (${values.join(", ")})
  ON CONFLICT (${keys.join(", ")}) DO UPDATE SET
    ${sumColumns.map((column) => `${column} = ${column} + excluded.${column}`).join(",\n    ")};`;
}

/** Takes what a row added out of its bucket again (the bucket exists: the row is in it). */
function removeRowSql(rollup: Rollup): string {
  const keys = [rollup.time, ...rollup.keys];
  const where = keys.map((key, i) => `${key} = ${keysOf(rollup, "OLD")[i]}`).join(" AND ");
  const sums = sumsOf("OLD", (s) => s);
  return `  UPDATE ${rollup.table} SET
    ${sumColumns.map((column, i) => `${column} = ${column} - (${sums[i]})`).join(",\n    ")}
  WHERE ${where};`;
}

/**
 * Drops and recreates the rollups and their triggers, refilled from the raw rows. A row changed
 * in place (a cost priced later by `usage-ledger reprice`) moves its old sums out of its bucket
 * and its new ones in, in the same statement's transaction, so the rollups stay the raw rows'
 * sums.
 */
export function rebuildRollupSql(): string {
  const rollups = Object.values(ROLLUPS);
  return `
DROP TRIGGER IF EXISTS usage_rows_rollup;
DROP TRIGGER IF EXISTS usage_rows_rollup_update;
${rollups.map(tableSql).join("\n")}
CREATE TRIGGER usage_rows_rollup AFTER INSERT ON usage_rows BEGIN
${rollups.map(addRowSql).join("\n")}
END;
CREATE TRIGGER usage_rows_rollup_update AFTER UPDATE ON usage_rows BEGIN
${rollups.map(removeRowSql).join("\n")}
${rollups.map(addRowSql).join("\n")}
END;`;
}
