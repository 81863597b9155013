import type { DatabaseSync } from "node:sqlite";
import type { RouteSums } from "./route-cost.ts";

/**
 * Each agent's autorouted calls per routed model in a range, for the route-cost lines
 * (route-cost.ts). Raw rows only: the rollups keep no agent and routed model together, so
 * the lines cover what the raw rows still hold (see retentionDays).
 */
export function readRouteSums(
  db: DatabaseSync,
  since: number,
  until: number,
  agent?: string,
): RouteSums[] {
  const known = (then: string) => `sum(CASE WHEN cost_state = 'known' THEN ${then} ELSE 0 END)`;
  const rows = db
    .prepare(
      `SELECT coalesce(agent_id, '') AS agent,
         coalesce(provider, '') || '/' || coalesce(model, '') AS requested,
         routed_model AS routed, sum(calls) AS calls, sum(coalesce(cost_nusd, 0)) AS costNano,
         ${known("cost_nusd")} AS knownCostNano, ${known("total")} AS knownTokens
       FROM usage_rows
       WHERE ts >= ? AND ts < ? AND granularity = 'call' AND coalesce(routed_model, '') <> ''
         ${agent === undefined ? "" : "AND coalesce(agent_id, '') = ?"}
       GROUP BY 1, 2, 3`,
    )
    .all(since, until, ...(agent === undefined ? [] : [agent]));
  return rows.map((row) => ({
    agent: String(row.agent ?? ""),
    requested: String(row.requested ?? ""),
    routed: String(row.routed ?? ""),
    calls: Number(row.calls ?? 0),
    costNano: Number(row.costNano ?? 0),
    knownCostNano: Number(row.knownCostNano ?? 0),
    knownTokens: Number(row.knownTokens ?? 0),
  }));
}
