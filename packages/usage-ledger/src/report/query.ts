import type { DatabaseSync } from "node:sqlite";
import { rawSums, rollupSums } from "../store/rollup.ts";

/**
 * Grouped usage reports over the ledger. Whole hours come from the `usage_hourly` rollup,
 * the partial hours at either end of [since, until) from `usage_rows`, so a report over a
 * million rows reads a few thousand rollup rows, and its range is still exact to the ms.
 */

/**
 * `model` is the model that served and priced the call (for an autorouted call the one TaaS
 * routed it to, else the one asked for); `requested-model` is the one the call asked for.
 */
export const REPORT_GROUPS = [
  "day",
  "hour",
  "agent",
  "model",
  "requested-model",
  "session",
  "trigger",
  "cause",
  "upstream",
] as const;
export type LocalReportGroup = (typeof REPORT_GROUPS)[number];
/** The central table's groups: the local ones plus the gateway that forwarded each row. */
export const CENTRAL_REPORT_GROUPS = [...REPORT_GROUPS, "gateway"] as const;
export type ReportGroup = (typeof CENTRAL_REPORT_GROUPS)[number];

export const isReportGroup = (value: unknown): value is LocalReportGroup =>
  typeof value === "string" && (REPORT_GROUPS as readonly string[]).includes(value);
export const isCentralReportGroup = (value: unknown): value is ReportGroup =>
  typeof value === "string" && (CENTRAL_REPORT_GROUPS as readonly string[]).includes(value);

export interface ReportTotals {
  /** Ledger rows (call rows plus run rows). */
  rows: number;
  /** Model calls. */
  calls: number;
  errors: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  total: number;
  /** Known costs plus the priced part of partial ones. */
  costNano: number;
  /** Rows with a token kind that had no price: only their priced kinds are in costNano. */
  costPartialRows: number;
  /** Rows whose cost is unknown (no price for what they used): not in costNano. */
  costUnknownRows: number;
  /** Model calls in partial or unknown rows. */
  unpricedCalls: number;
  savingNano: number;
  /** Rows whose cache saving is unknown (cache reads without both prices): not in savingNano. */
  savingUnknownRows: number;
  /** Tokens the accounted calls could have read from cache (their ceiling). */
  expectedCacheRead: number;
  /** Of those, the tokens not read. */
  missedTokens: number;
  /** Tokens a change of the prompt made unreadable (system prompt, tools, history). */
  invalidatedTokens: number;
  /** Prompt tokens and cache reads of the accounted calls: the base of the ideal and efficiency. */
  accountedPrompt: number;
  accountedRead: number;
  /** Calls without cache accounting (no optimizer capture, no usage, older rows). */
  unaccountedCalls: number;
  /** What the missed tokens cost beyond a cache read, where priced. */
  missedCostNano: number;
  /** Rows that missed tokens without both prices: not in missedCostNano. */
  missedUnpricedRows: number;
}

export interface ReportRow extends ReportTotals {
  /** The group's value (a UTC date for "day"); null when the host did not report it. */
  key: string | null;
  /** The cause that lost this group the most tokens; null when it lost none (or by cause). */
  topCause: string | null;
}

export interface LedgerReport {
  by: ReportGroup;
  since: number;
  until: number;
  rows: ReportRow[];
  totals: ReportTotals;
  /** Groups left out by `limit` (they still count in `totals`). */
  omitted: number;
}

export interface ReportQuery {
  by: ReportGroup;
  since: number;
  until: number;
  /** Keep the first `limit` groups (0: all). */
  limit?: number;
  /** Only this agent's calls ("" for calls the host reported without an agent). */
  agent?: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The group columns (k1, k2) in the raw table and in the rollup. Groups the rollup does not
 * keep (cause, upstream) are read from the raw rows over the whole range.
 */
const KEYS: Record<LocalReportGroup, { raw: string; rollup?: string }> = {
  day: { raw: `ts / ${DAY_MS} AS k1, '' AS k2`, rollup: `hour_ms / ${DAY_MS} AS k1, '' AS k2` },
  hour: { raw: `ts / ${HOUR_MS} AS k1, '' AS k2`, rollup: `hour_ms / ${HOUR_MS} AS k1, '' AS k2` },
  agent: { raw: "coalesce(agent_id, '') AS k1, '' AS k2", rollup: "agent_id AS k1, '' AS k2" },
  model: {
    raw: "coalesce(provider, '') AS k1, coalesce(routed_model, model, '') AS k2",
    rollup: "provider AS k1, CASE WHEN routed_model <> '' THEN routed_model ELSE model END AS k2",
  },
  "requested-model": {
    raw: "coalesce(provider, '') AS k1, coalesce(model, '') AS k2",
    rollup: "provider AS k1, model AS k2",
  },
  session: {
    raw: "coalesce(session_key, '') AS k1, '' AS k2",
    rollup: "session_key AS k1, '' AS k2",
  },
  trigger: { raw: "coalesce(trigger, '') AS k1, '' AS k2", rollup: "trigger AS k1, '' AS k2" },
  cause: { raw: "coalesce(miss_cause, '') AS k1, '' AS k2" },
  upstream: { raw: "coalesce(upstream_route, '') AS k1, '' AS k2" },
};

export const emptyTotals = (): ReportTotals => ({
  rows: 0,
  calls: 0,
  errors: 0,
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  total: 0,
  costNano: 0,
  costPartialRows: 0,
  costUnknownRows: 0,
  unpricedCalls: 0,
  savingNano: 0,
  savingUnknownRows: 0,
  expectedCacheRead: 0,
  missedTokens: 0,
  invalidatedTokens: 0,
  accountedPrompt: 0,
  accountedRead: 0,
  unaccountedCalls: 0,
  missedCostNano: 0,
  missedUnpricedRows: 0,
});

const TOTAL_FIELDS = Object.keys(emptyTotals()) as Array<keyof ReportTotals>;

function addInto(target: ReportTotals, source: { [K in keyof ReportTotals]?: unknown }): void {
  for (const field of TOTAL_FIELDS) {
    const value = source[field];
    target[field] += typeof value === "number" ? value : Number(value ?? 0);
  }
}

export function queryLedgerReport(db: DatabaseSync, query: ReportQuery): LedgerReport {
  const { by, since, until } = query;
  if (!isReportGroup(by)) throw new Error(`a local ledger has no "${by}" groups`);
  const keys = KEYS[by];
  const parts: Array<Array<Record<string, unknown>>> = [];
  // `--agent`: one agent's calls, e.g. what that agent lost tokens to (by cause).
  const agent = query.agent;
  const only = agent === undefined ? [] : [agent];
  const agentClause = agent === undefined ? "" : "AND coalesce(agent_id, '') = ?";
  const raw = db.prepare(
    `SELECT ${keys.raw}, ${rawSums()} FROM usage_rows WHERE ts >= ? AND ts < ?
     ${agentClause} GROUP BY k1, k2`,
  );
  const firstHour = Math.ceil(since / HOUR_MS) * HOUR_MS;
  const endHour = Math.floor(until / HOUR_MS) * HOUR_MS;
  if (firstHour >= endHour || !keys.rollup) {
    parts.push(raw.all(since, until, ...only));
  } else {
    if (since < firstHour) parts.push(raw.all(since, firstHour, ...only));
    parts.push(
      db
        .prepare(
          `SELECT ${keys.rollup}, ${rollupSums()} FROM usage_hourly
           WHERE hour_ms >= ? AND hour_ms < ? ${agent === undefined ? "" : "AND agent_id = ?"}
           GROUP BY k1, k2`,
        )
        .all(firstHour, endHour, ...only),
    );
    if (endHour < until) parts.push(raw.all(endHour, until, ...only));
  }
  // Causes are kept on the call rows only, which cover the same span as the rollup.
  const causes =
    by === "cause"
      ? []
      : db
          .prepare(
            `SELECT ${keys.raw}, ${CAUSE_SUMS} FROM usage_rows
             WHERE ts >= ? AND ts < ? AND missed_tokens > 0 ${agentClause}
             GROUP BY k1, k2, cause`,
          )
          .all(since, until, ...only);
  return assembleReport(query, parts.flat(), causes);
}

/** Per group and cause, the tokens it lost (columns k1, k2, cause, missed): for `topCause`. */
export const CAUSE_SUMS = "coalesce(miss_cause, '') AS cause, sum(missed_tokens) AS missed";

/**
 * A report from grouped sums (columns k1, k2 and the ReportTotals fields, numbers or numeric
 * strings), wherever they were read: the local ledger, or the central PostgreSQL table.
 * Sums of the same group from several reads are added together. `causes` (columns k1, k2,
 * cause, missed; see CAUSE_SUMS) names each group's top cause.
 */
export function assembleReport(
  query: ReportQuery,
  sums: ReadonlyArray<Record<string, unknown>>,
  causes: ReadonlyArray<Record<string, unknown>> = [],
): LedgerReport {
  const { by, since, until } = query;
  const groups = new Map<string, { k1: unknown; k2: unknown; sums: ReportTotals }>();
  for (const row of sums) {
    const id = `${String(row.k1)}\u0000${String(row.k2)}`;
    let group = groups.get(id);
    if (!group) {
      group = { k1: row.k1, k2: row.k2, sums: emptyTotals() };
      groups.set(id, group);
    }
    addInto(group.sums, row);
  }
  const top = topCauses(causes);
  const rows: ReportRow[] = [...groups.values()].map((g) => ({
    key: groupKey(by, g.k1, g.k2),
    topCause: top.get(`${String(g.k1)}\u0000${String(g.k2)}`) ?? null,
    ...g.sums,
  }));
  rows.sort(by === "day" || by === "hour" ? byKey : by === "cause" ? byLost : byCost);
  const totals = emptyTotals();
  for (const row of rows) addInto(totals, row);
  const limit = query.limit && query.limit > 0 ? query.limit : rows.length;
  return {
    by,
    since,
    until,
    rows: rows.slice(0, limit),
    totals,
    omitted: Math.max(0, rows.length - limit),
  };
}

/** Per group id (k1 NUL k2), the cause with the most lost tokens; ties go to the first name. */
function topCauses(causes: ReadonlyArray<Record<string, unknown>>): Map<string, string> {
  const best = new Map<string, { cause: string; missed: number }>();
  for (const row of causes) {
    const cause = typeof row.cause === "string" ? row.cause : "";
    const missed = Number(row.missed ?? 0);
    if (!cause || !(missed > 0)) continue;
    const id = `${String(row.k1)}\u0000${String(row.k2)}`;
    const seen = best.get(id);
    if (!seen || missed > seen.missed || (missed === seen.missed && cause < seen.cause))
      best.set(id, { cause, missed });
  }
  return new Map([...best].map(([id, { cause }]) => [id, cause]));
}

function groupKey(by: ReportGroup, k1: unknown, k2: unknown): string | null {
  if (by === "day") return new Date(Number(k1) * DAY_MS).toISOString().slice(0, 10);
  if (by === "hour") return new Date(Number(k1) * HOUR_MS).toISOString();
  const first = typeof k1 === "string" ? k1 : "";
  const second = typeof k2 === "string" ? k2 : "";
  if (by === "model" || by === "requested-model") {
    if (first && second) return `${first}/${second}`;
    return second || first || null;
  }
  return first || null;
}

const byKey = (a: ReportRow, b: ReportRow) => String(a.key).localeCompare(String(b.key));
const byLost = (a: ReportRow, b: ReportRow) =>
  b.missedTokens + b.invalidatedTokens - (a.missedTokens + a.invalidatedTokens) ||
  b.calls - a.calls ||
  byKey(a, b);
const byCost = (a: ReportRow, b: ReportRow) =>
  b.costNano - a.costNano || b.total - a.total || byKey(a, b);
