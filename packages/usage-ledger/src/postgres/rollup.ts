import { columnOf, TOTAL_FIELDS, TOTALS } from "../report/totals.ts";
import { ROLLUPS } from "../store/rollup.ts";

/*
 * The central rollups: the report totals (report/totals.ts) per time bucket x gateway x every
 * key the local daily rollup keeps (agent, provider, requested and routed model, trigger, miss
 * cause, upstream; store/rollup.ts), so every report but `--by session` reads whole hours from
 * `<table>_hourly` and, where it does not group by hour, whole days from `<table>_daily` (a
 * 30-day report then reads 30 rows per key rather than 720). Each forwarder adds its batch in
 * the same statement that inserts the raw rows: only the rows INSERT ... ON CONFLICT DO NOTHING
 * actually stored (RETURNING) are summed in, so a batch resent after a crash or a lost answer
 * adds nothing the second time.
 */

/** The rollup's levels: the table suffix, its time column and its bucket in seconds. */
export const ROLLUP_LEVELS = {
  hourly: { suffix: "_hourly", time: "hour", seconds: 3_600 },
  daily: { suffix: "_daily", time: "day", seconds: 86_400 },
} as const;
type Level = (typeof ROLLUP_LEVELS)[keyof typeof ROLLUP_LEVELS];
const LEVELS = Object.values(ROLLUP_LEVELS);

export const rollupTable = (table: string, level: Level = ROLLUP_LEVELS.hourly): string =>
  `${table}${level.suffix}`;

/** The rollup's keys after the time; text keys keep '' for NULL so they can be a primary key. */
export const ROLLUP_KEYS = ["gateway_id", ...ROLLUPS.daily.keys] as const;

const SUM_COLUMNS = TOTAL_FIELDS.map((field) => TOTALS[field].column);

export function rollupTableSql(table: string): string {
  return LEVELS.map(
    (level) => `
CREATE TABLE IF NOT EXISTS ${rollupTable(table, level)} (
  ${level.time} timestamptz NOT NULL,
  ${ROLLUP_KEYS.map((key) => `${key} text NOT NULL`).join(",\n  ")},
  ${SUM_COLUMNS.map((column) => `${column} bigint NOT NULL`).join(",\n  ")},
  PRIMARY KEY (${level.time}, ${ROLLUP_KEYS.join(", ")})
);`,
  ).join("\n");
}

/** One level's upsert of the rows of `inserted`, adding to what each bucket already holds. */
function upsertSql(table: string, level: Level): string {
  const keys = [level.time, ...ROLLUP_KEYS];
  // The bucket a raw row's `ts` falls in, whatever the session's time zone.
  const bucket = `to_timestamp(floor(extract(epoch FROM ts) / ${level.seconds}) * ${level.seconds})`;
  const values = [
    bucket,
    ...ROLLUP_KEYS.map((key) => (key === "gateway_id" ? key : `coalesce(${key}, '')`)),
    ...TOTAL_FIELDS.map((field) => `sum(${TOTALS[field].of(columnOf(""))})`),
  ];
  const rollup = rollupTable(table, level);
  return `INSERT INTO ${rollup} (${[...keys, ...SUM_COLUMNS].join(", ")})
SELECT ${values.join(", ")}
FROM inserted
GROUP BY ${keys.map((_, i) => i + 1).join(", ")}
ON CONFLICT (${keys.join(", ")}) DO UPDATE SET
  ${SUM_COLUMNS.map((column) => `${column} = ${rollup}.${column} + excluded.${column}`).join(",\n  ")}`;
}

/**
 * What follows `WITH inserted AS (<rows>), ` to add those rows to every level in the same
 * statement: the hourly upsert as a data-modifying CTE, then the daily one.
 */
export function addToRollupsSql(table: string): string {
  return `hourly_added AS (
${upsertSql(table, ROLLUP_LEVELS.hourly)})
${upsertSql(table, ROLLUP_LEVELS.daily)}`;
}

/** Sums every row of `table` into its rollups (the in-place migration, which starts them empty). */
export const rollUpTableSql = (table: string): string =>
  `WITH inserted AS (SELECT * FROM ${table}), ${addToRollupsSql(table)}`;
