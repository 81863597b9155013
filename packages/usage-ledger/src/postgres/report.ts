import {
  DAY_MS,
  groupKeysSql,
  HOUR_MS,
  type ReportGroup,
  usesDailyRollup,
} from "../report/groups.ts";
import { assembleReport, type LedgerReport, type ReportQuery } from "../report/query.ts";
import { rawSumsSql, rollupSumsSql } from "../report/totals.ts";
import { ROLLUP_LEVELS, rollupTable } from "./rollup.ts";
import { connectPostgres } from "./sink.ts";

/*
 * Fleet reports: the same report shapes as the local ledger's, from the central PostgreSQL
 * table every gateway forwards to. [since, until) in pieces, as the local report reads its own
 * rollups: the partial hours at either end from the raw rows (one day partition each), whole
 * hours from the hourly rollup and, unless the report is by hour, whole UTC days from the daily
 * one; `--by session` reads raw rows only (no rollup keeps the session). Every read sums by the
 * same declarations, so the totals are the raw rows' (README "Fleet reports" prints the SQL).
 */

const range = (column: string) =>
  `${column} >= to_timestamp($1::double precision / 1000) AND ${column} < to_timestamp($2::double precision / 1000)`;
const AGENT = "\n  AND coalesce(agent_id, '') = $3";

/**
 * The report's SQL over raw rows (groups and sums declared once, in report/groups.ts and
 * report/totals.ts); $1 and $2 are the range's ends in epoch milliseconds, $3 (with `agent`) the
 * one agent whose calls it counts. Each group comes per miss cause, for its top cause.
 */
export function centralReportSql(table: string, by: ReportGroup, agent = false): string {
  return `SELECT ${groupKeysSql(by, "central")},
  ${rawSumsSql("", ",\n  ")}
FROM ${table}
WHERE ${range("ts")}${agent ? AGENT : ""}
GROUP BY k1, k2, cause`;
}

/** The same report over a rollup; $1 and $2 are whole hours (whole days for the daily one). */
export function centralRollupReportSql(
  table: string,
  by: ReportGroup,
  agent = false,
  level: keyof typeof ROLLUP_LEVELS = "hourly",
): string {
  const { time } = ROLLUP_LEVELS[level];
  return `SELECT ${groupKeysSql(by, level === "hourly" ? "centralHourly" : "centralDaily")},
  ${rollupSumsSql().replaceAll(", sum(", ",\n  sum(")}
FROM ${rollupTable(table, ROLLUP_LEVELS[level])}
WHERE ${range(time)}${agent ? AGENT : ""}
GROUP BY k1, k2, cause`;
}

/** Whether a report can read whole hours from the rollup (it keeps no session). */
export const readsRollup = (by: ReportGroup): boolean => by !== "session";

export interface CentralReadOptions {
  /** Read every row from the raw table (the bench's side-by-side, and the tests' reference). */
  rawOnly?: boolean;
}

/** A report over the central table (read-only; one connection, closed before returning). */
export async function readCentralReport(
  url: string,
  table: string,
  query: ReportQuery,
  options: CentralReadOptions = {},
): Promise<LedgerReport> {
  const sql = connectPostgres(url);
  const agent = query.agent !== undefined;
  const only = agent ? [query.agent ?? ""] : [];
  const { since, until, by } = query;
  const firstHour = Math.ceil(since / HOUR_MS) * HOUR_MS;
  const endHour = Math.floor(until / HOUR_MS) * HOUR_MS;
  const firstDay = Math.ceil(firstHour / DAY_MS) * DAY_MS;
  const endDay = Math.floor(endHour / DAY_MS) * DAY_MS;
  const raw = centralReportSql(table, by, agent);
  const sums: Array<Record<string, unknown>> = [];
  const read = async (text: string, from: number, to: number) => {
    if (from >= to) return;
    // A loop, not push(...rows): a session report can hold more groups than a call's arguments.
    for (const row of await sql.unsafe(text, [from, to, ...only])) sums.push(row);
  };
  try {
    if (options.rawOnly || !readsRollup(by) || firstHour >= endHour) {
      await read(raw, since, until);
    } else if (usesDailyRollup(by) && firstDay < endDay) {
      const hourly = centralRollupReportSql(table, by, agent);
      await read(raw, since, firstHour);
      await read(hourly, firstHour, firstDay);
      await read(centralRollupReportSql(table, by, agent, "daily"), firstDay, endDay);
      await read(hourly, endDay, endHour);
      await read(raw, endHour, until);
    } else {
      await read(raw, since, firstHour);
      await read(centralRollupReportSql(table, by, agent), firstHour, endHour);
      await read(raw, endHour, until);
    }
    return assembleReport(query, sums);
  } finally {
    await sql.end({ timeout: 2 });
  }
}
