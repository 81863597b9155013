/**
 * What a report can group by, declared once for every place a report is read: the local
 * ledger's raw rows and hourly rollup, and the central PostgreSQL table. Each group is one or
 * two key expressions (k1, k2) over columns both tables have; only time needs the dialect.
 *
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

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A row's time in epoch ms as each source keeps it, and the bucket it is already cut to. */
const TIME = {
  /** usage_rows: epoch ms. */
  raw: { ms: "ts", bucketMs: 1 },
  /** usage_hourly: the hour's start, epoch ms. */
  hourly: { ms: "hour_ms", bucketMs: HOUR_MS },
  /** usage_daily: the UTC day's start, epoch ms. */
  daily: { ms: "day_ms", bucketMs: DAY_MS },
  /** The central table: timestamptz. */
  central: { ms: "(extract(epoch FROM ts) * 1000)::bigint", bucketMs: 1 },
  /** The central hourly rollup: the hour's start, timestamptz. */
  centralHourly: { ms: "(extract(epoch FROM hour) * 1000)::bigint", bucketMs: HOUR_MS },
  /** The central daily rollup: the UTC day's start, timestamptz. */
  centralDaily: { ms: "(extract(epoch FROM day) * 1000)::bigint", bucketMs: DAY_MS },
} as const;
export type KeySource = keyof typeof TIME;

/**
 * The start (epoch ms) of a time bucket: the source's own column when it is already cut to that
 * bucket, so the database groups by a plain (indexed) column rather than an expression.
 */
function bucketStart(source: KeySource, bucketMs: number): string {
  const time = TIME[source];
  return time.bucketMs === bucketMs ? time.ms : `(${time.ms} / ${bucketMs}) * ${bucketMs}`;
}

const text = (expression: string) => `coalesce(${expression}, '')`;

const KEYS: Record<ReportGroup, (source: KeySource) => [string, string]> = {
  day: (source) => [bucketStart(source, DAY_MS), "''"],
  hour: (source) => [bucketStart(source, HOUR_MS), "''"],
  agent: () => [text("agent_id"), "''"],
  // The rollup keeps '' for "not routed": nullif reads it as the raw rows' NULL.
  model: () => [text("provider"), text("nullif(routed_model, ''), model")],
  "requested-model": () => [text("provider"), text("model")],
  session: () => [text("session_key"), "''"],
  trigger: () => [text("trigger"), "''"],
  cause: () => [text("miss_cause"), "''"],
  upstream: () => [text("upstream_route"), "''"],
  gateway: () => ["gateway_id", "''"],
};

/** Groups the daily rollup can answer (it keeps no session, and days are too coarse for hours). */
export const usesDailyRollup = (by: ReportGroup): boolean => by !== "session" && by !== "hour";

/** `<k1> AS k1, <k2> AS k2` and, to read a group per miss cause, `<miss cause> AS cause`. */
export function groupKeysSql(by: ReportGroup, source: KeySource, perCause = true): string {
  const [k1, k2] = KEYS[by](source);
  return `${k1} AS k1, ${k2} AS k2${perCause ? `, ${text("miss_cause")} AS cause` : ""}`;
}

/** The group's key as reports print it (a UTC date for "day"); null when the host did not say. */
export function groupKey(by: ReportGroup, k1: unknown, k2: unknown): string | null {
  if (by === "day") return new Date(Number(k1)).toISOString().slice(0, 10);
  if (by === "hour") return new Date(Number(k1)).toISOString();
  const first = typeof k1 === "string" ? k1 : "";
  const second = typeof k2 === "string" ? k2 : "";
  if (by === "model" || by === "requested-model") {
    if (first && second) return `${first}/${second}`;
    return second || first || null;
  }
  return first || null;
}
