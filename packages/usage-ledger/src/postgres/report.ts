import {
  assembleReport,
  CAUSE_SUMS,
  type LedgerReport,
  type ReportGroup,
  type ReportQuery,
} from "../report/query.ts";
import { connectPostgres } from "./sink.ts";

/*
 * Fleet reports: the same report shapes as the local ledger's, from the central PostgreSQL
 * table every gateway forwards to. One GROUP BY per report over [since, until); the SQL is
 * `centralReportSql` (README "Fleet reports" prints it for Grafana or Metabase).
 */

const DAY_S = 86_400;
const HOUR_S = 3_600;

const KEYS: Record<ReportGroup, string> = {
  day: `floor(extract(epoch FROM ts) / ${DAY_S})::bigint AS k1, '' AS k2`,
  hour: `floor(extract(epoch FROM ts) / ${HOUR_S})::bigint AS k1, '' AS k2`,
  agent: "coalesce(agent_id, '') AS k1, '' AS k2",
  model: "coalesce(provider, '') AS k1, coalesce(routed_model, model, '') AS k2",
  "requested-model": "coalesce(provider, '') AS k1, coalesce(model, '') AS k2",
  session: "coalesce(session_key, '') AS k1, '' AS k2",
  trigger: "coalesce(trigger, '') AS k1, '' AS k2",
  cause: "coalesce(miss_cause, '') AS k1, '' AS k2",
  upstream: "coalesce(upstream_route, '') AS k1, '' AS k2",
  gateway: "gateway_id AS k1, '' AS k2",
};

const ACCOUNTED = "FILTER (WHERE expected_cache_read IS NOT NULL)";

const SUMS = `count(*) AS rows, sum(calls) AS calls,
  count(*) FILTER (WHERE outcome = 'error') AS errors,
  sum(input) AS input, sum(output) AS output, sum(cache_read) AS "cacheRead",
  sum(cache_write) AS "cacheWrite", sum(total) AS total,
  coalesce(sum(cost_nusd), 0) AS "costNano",
  count(*) FILTER (WHERE cost_state = 'partial') AS "costPartialRows",
  count(*) FILTER (WHERE cost_state = 'unknown') AS "costUnknownRows",
  coalesce(sum(calls) FILTER (WHERE cost_state <> 'known'), 0) AS "unpricedCalls",
  coalesce(sum(saving_nusd), 0) AS "savingNano",
  count(*) FILTER (WHERE saving_nusd IS NULL) AS "savingUnknownRows",
  coalesce(sum(missed_cost_nusd), 0) AS "missedCostNano",
  count(*) FILTER (WHERE missed_tokens > 0 AND missed_cost_nusd IS NULL) AS "missedUnpricedRows",
  coalesce(sum(expected_cache_read), 0) AS "expectedCacheRead",
  coalesce(sum(missed_tokens), 0) AS "missedTokens",
  coalesce(sum(invalidated_tokens), 0) AS "invalidatedTokens",
  coalesce(sum(input + cache_read + cache_write) ${ACCOUNTED}, 0) AS "accountedPrompt",
  coalesce(sum(cache_read) ${ACCOUNTED}, 0) AS "accountedRead",
  coalesce(sum(calls) FILTER (WHERE expected_cache_read IS NULL), 0) AS "unaccountedCalls"`;

const RANGE =
  "ts >= to_timestamp($1::double precision / 1000) AND ts < to_timestamp($2::double precision / 1000)";

/**
 * The report's SQL; $1 and $2 are the range's ends in epoch milliseconds, $3 (with `agent`)
 * the one agent whose calls it counts.
 */
export function centralReportSql(table: string, by: ReportGroup, agent = false): string {
  return `SELECT ${KEYS[by]}, ${SUMS}
FROM ${table}
WHERE ${RANGE}${agent ? "\n  AND coalesce(agent_id, '') = $3" : ""}
GROUP BY k1, k2`;
}

/** Each group's lost tokens per cause, for its top cause (parameters as above). */
export function centralCauseSql(table: string, by: ReportGroup, agent = false): string {
  return `SELECT ${KEYS[by]}, ${CAUSE_SUMS}
FROM ${table}
WHERE ${RANGE} AND missed_tokens > 0${agent ? " AND coalesce(agent_id, '') = $3" : ""}
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
    const rows = await sql.unsafe(centralReportSql(table, query.by, agent), params);
    const causes =
      query.by === "cause" ? [] : await sql.unsafe(centralCauseSql(table, query.by, agent), params);
    return assembleReport(query, rows, causes);
  } finally {
    await sql.end({ timeout: 2 });
  }
}
