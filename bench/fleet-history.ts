// The fleet bench's historical rows, generated inside PostgreSQL (generate_series) so a bulk
// load of tens of millions of rows never crosses the client. Every central column gets an
// expression (a required column without one is an error, so a column added to the ledger's
// declaration shows up here); the mix is skewed and correlated as a real fleet's is: most calls from a
// few agents on one model, cron from one agent, the upstream set by the model, most accounted
// calls missing nothing.
import type { MISS_CAUSES } from "../packages/usage-ledger/src/cache/accounting.ts";
import { addToRollupsSql } from "../packages/usage-ledger/src/postgres/rollup.ts";
import { CENTRAL_COLUMNS } from "../packages/usage-ledger/src/postgres/schema.ts";
import { centralColumnTypes } from "../packages/usage-ledger/src/store/columns.ts";

/** Picks by the percentile `p` (0-99): the first value whose cumulative share exceeds it. */
const pick = (p: string, shares: ReadonlyArray<readonly [number, string]>): string => {
  let upTo = 0;
  const arms = shares.map(([share, value]) => {
    upTo += share;
    return `WHEN ${p} < ${upTo} THEN ${value}`;
  });
  return `CASE ${arms.join(" ")} END`;
};

const cause = (name: (typeof MISS_CAUSES)[number]) => `'${name}'`;
const accounted = "r.acc";

const EXPRESSIONS: Record<string, string> = {
  gateway_id: "'gw-' || lpad((g % $3)::text, 4, '0')",
  local_id: "g",
  event_id: "'bulk:' || g",
  ts: "to_timestamp($4::double precision + g * $5::double precision)",
  granularity: "'call'",
  calls: "1",
  agent_id: `'agent-' || ${pick("r.a", [
    [60, "0"],
    [25, "1"],
    [10, "2"],
    [5, "3"],
  ])}`,
  // A session is 40 consecutive calls of one gateway.
  session_key: "'agent:main:' || (g % $3) || ':' || (g / ($3 * 40))",
  // The cron jobs are one agent's; the upstream follows from the model, as routing decides it.
  trigger: "CASE WHEN r.a >= 95 THEN 'cron' ELSE 'user' END",
  provider: "'cloudsigma'",
  model: pick("r.m", [
    [70, "'gpt-5.5'"],
    [20, "'auto'"],
    [10, "'claude-opus-4.8'"],
  ]),
  routed_model: "CASE WHEN r.m >= 70 AND r.m < 90 THEN 'deepseek-v4' END",
  upstream_route: "CASE WHEN r.m < 70 THEN 'openai' END",
  input: "100 + g % 4000",
  output: "10 + g % 300",
  cache_read: "(g * 61) % 8192",
  cache_write: "(g % 3) * 128",
  total: "100 + g % 4000 + 10 + g % 300 + (g * 61) % 8192 + (g % 3) * 128",
  usage_known: "1",
  cost_nusd: "CASE WHEN r.m % 50 = 0 THEN NULL ELSE 1000 + g % 90000 END",
  cost_state: "CASE WHEN r.m % 50 = 0 THEN 'unknown' ELSE 'known' END",
  cost_source: "'host'",
  saving_nusd: "(g * 7) % 5000",
  latency_ms: "200 + g % 3000",
  ttfb_ms: "100 + g % 900",
  outcome: "CASE WHEN g % 97 = 0 THEN 'error' ELSE 'ok' END",
  recorded_at: "to_timestamp($4::double precision + g * $5::double precision)",
  expected_cache_read: `CASE WHEN ${accounted} THEN 8192 END`,
  missed_tokens: `CASE WHEN ${accounted} THEN CASE WHEN r.c < 70 THEN 0 ELSE (g * 37) % 4096 END END`,
  invalidated_tokens: `CASE WHEN ${accounted} THEN CASE WHEN r.c >= 93 THEN (g * 13) % 2048 ELSE 0 END END`,
  miss_cause: `CASE WHEN ${accounted} THEN ${pick("r.c", [
    [70, cause("none")],
    [15, cause("cold")],
    [8, cause("ttl_expired")],
    [4, cause("prefix_history")],
    [3, cause("plateau")],
  ])} END`,
  missed_cost_nusd: `CASE WHEN ${accounted} AND r.c >= 70 THEN ((g * 37) % 4096) * 2 END`,
  beyond_plateau_tokens: `CASE WHEN ${accounted} THEN CASE WHEN r.c >= 97 THEN 1024 ELSE 0 END END`,
};

const REQUIRED = new Set(
  centralColumnTypes()
    .filter(([, , required]) => required)
    .map(([name]) => name),
);

function columnExpressions(): string[] {
  return CENTRAL_COLUMNS.map((name) => {
    const expression = EXPRESSIONS[name];
    if (expression !== undefined) return expression;
    if (REQUIRED.has(name as never)) throw new Error(`fleet bench: no expression for ${name}`);
    return "NULL";
  });
}

/**
 * Inserts rows g = $1..$2 (of $3 gateways; row g at $4 + g * $5 epoch seconds) and adds what it
 * stored to the rollup in the same statement, as a forwarder's batch does.
 */
export function historySql(table: string): string {
  return `WITH inserted AS (
  INSERT INTO ${table} (${CENTRAL_COLUMNS.join(", ")})
  SELECT ${columnExpressions().join(", ")}
  FROM generate_series($1::bigint, $2::bigint) AS g,
    LATERAL (SELECT ${["a", "m", "c"]
      .map((name, seed) => `abs(hashint8extended(g, ${seed + 1})) % 100 AS ${name}`)
      .join(", ")}, g % 3 <> 0 AS acc) AS r
  ON CONFLICT DO NOTHING RETURNING *),
${addToRollupsSql(table)}`;
}
