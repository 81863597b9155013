import { groupKeysSql, type ReportGroup } from "../report/groups.ts";
import { assembleReport, type LedgerReport, type ReportQuery } from "../report/query.ts";
import { rawSumsSql } from "../report/totals.ts";
import { connectPostgres } from "./sink.ts";

/*
 * Fleet reports: the same report shapes as the local ledger's, from the central PostgreSQL
 * table every gateway forwards to. One GROUP BY per report over [since, until); the SQL is
 * `centralReportSql` (README "Fleet reports" prints it for Grafana or Metabase).
 */

const RANGE =
  "ts >= to_timestamp($1::double precision / 1000) AND ts < to_timestamp($2::double precision / 1000)";

/**
 * The report's SQL (groups and sums declared once, in report/groups.ts and report/totals.ts);
 * $1 and $2 are the range's ends in epoch milliseconds, $3 (with `agent`) the one agent whose
 * calls it counts. Each group comes per miss cause, for its top cause.
 */
export function centralReportSql(table: string, by: ReportGroup, agent = false): string {
  return `SELECT ${groupKeysSql(by, "central")},
  ${rawSumsSql("", ",\n  ")}
FROM ${table}
WHERE ${RANGE}${agent ? "\n  AND coalesce(agent_id, '') = $3" : ""}
GROUP BY k1, k2, cause`;
}

/** A report over the central table (read-only; one connection, closed before returning). */
export async function readCentralReport(
  url: string,
  table: string,
  query: ReportQuery,
): Promise<LedgerReport> {
  const sql = connectPostgres(url);
  const agent = query.agent !== undefined;
  const params = [query.since, query.until, ...(agent ? [query.agent ?? ""] : [])];
  try {
    return assembleReport(
      query,
      await sql.unsafe(centralReportSql(table, query.by, agent), params),
    );
  } finally {
    await sql.end({ timeout: 2 });
  }
}
