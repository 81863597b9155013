import type { DatabaseSync } from "node:sqlite";
import { ROLLUPS } from "../store/rollup.ts";
import { lostTokens } from "./figures.ts";
import {
  DAY_MS,
  groupKey,
  groupKeysSql,
  HOUR_MS,
  isReportGroup,
  type KeySource,
  type LocalReportGroup,
  type ReportGroup,
  usesDailyRollup,
} from "./groups.ts";
import { type PricierRoute, pricierRoutes } from "./route-cost.ts";
import { readRouteSums } from "./route-sums.ts";
import {
  addTotals,
  columnOf,
  emptyTotals,
  type ReportTotals,
  rawSumsSql,
  rollupSumsSql,
  TOTALS,
} from "./totals.ts";

/**
 * Grouped usage reports over the ledger. Whole days come from the daily rollup, whole hours
 * from the hourly one, the partial hours at either end of [since, until) from `usage_rows`, so
 * a report over a million rows reads a few thousand rollup rows, and its range is still exact
 * to the ms. Every read
 * groups per miss cause too, so one pass gives each group's totals and the cause that lost it
 * the most tokens.
 */

export type { LocalReportGroup, ReportGroup, ReportTotals };

export interface ReportRow extends ReportTotals {
  /** The group's value (a UTC date for "day"); null when the host did not report it. */
  key: string | null;
  /** The cause that lost this group the most tokens; null when it lost none (or by cause). */
  topCause: string | null;
}

/** What one miss cause lost over the whole report, whatever it is grouped by. */
export interface CauseLoss {
  cause: string;
  lostTokens: number;
  missedCostNano: number;
  missedUnpricedRows: number;
}

export interface LedgerReport {
  by: ReportGroup;
  since: number;
  until: number;
  rows: ReportRow[];
  totals: ReportTotals;
  /** Groups left out by `limit` (they still count in `totals`). */
  omitted: number;
  /** Every cause that lost tokens in the range, most lost first (all groups, `limit` aside). */
  causes: CauseLoss[];
  /** Agents whose cost a pricier autorouted route drives (report/route-cost.ts; local only). */
  pricierRoutes: PricierRoute[];
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

export function queryLedgerReport(db: DatabaseSync, query: ReportQuery): LedgerReport {
  const { by, since, until, agent } = query;
  if (!isReportGroup(by)) throw new Error(`a local ledger has no "${by}" groups`);
  const only = agent === undefined ? [] : [agent];
  const sums: Array<Record<string, unknown>> = [];
  const causes: Array<Record<string, unknown>> = [];
  // Each piece is read twice: the group's totals, and (for its top cause) the lost tokens per
  // cause of only the rows that lost any, which keeps the wide read free of a cause split.
  const read = (source: KeySource, table: string, time: string) => {
    const where = `FROM ${table} WHERE ${time} >= ? AND ${time} < ?
       ${agent === undefined ? "" : "AND coalesce(agent_id, '') = ?"}`;
    const totals = db.prepare(
      `SELECT ${groupKeysSql(by, source, false)}, ${source === "raw" ? rawSumsSql() : rollupSumsSql()}
       ${where} GROUP BY k1, k2`,
    );
    const lost = by === "cause" ? undefined : db.prepare(lostByCauseSql(by, source, where));
    return (from: number, to: number) => {
      if (from >= to) return;
      sums.push(...totals.all(from, to, ...only));
      if (lost) causes.push(...lost.all(from, to, ...only));
    };
  };
  const raw = read("raw", "usage_rows", "ts");
  const hourly = read("hourly", ROLLUPS.hourly.table, ROLLUPS.hourly.time);
  // [since, until) in pieces: raw rows for the partial hours at the ends, the hourly rollup for
  // whole hours, and (where the group allows) the daily rollup for whole days in between.
  const firstHour = Math.ceil(since / HOUR_MS) * HOUR_MS;
  const endHour = Math.floor(until / HOUR_MS) * HOUR_MS;
  const firstDay = Math.ceil(firstHour / DAY_MS) * DAY_MS;
  const endDay = Math.floor(endHour / DAY_MS) * DAY_MS;
  if (firstHour >= endHour) {
    raw(since, until);
  } else if (usesDailyRollup(by) && firstDay < endDay) {
    const daily = read("daily", ROLLUPS.daily.table, ROLLUPS.daily.time);
    raw(since, firstHour);
    hourly(firstHour, firstDay);
    daily(firstDay, endDay);
    hourly(endDay, endHour);
    raw(endHour, until);
  } else {
    raw(since, firstHour);
    hourly(firstHour, endHour);
    raw(endHour, until);
  }
  const report = assembleReport(query, sums, causes);
  report.pricierRoutes = pricierRoutes(readRouteSums(db, since, until, agent));
  return report;
}

/** Per group and cause, the lost tokens (and missed cost) of the rows that lost any. */
function lostByCauseSql(by: LocalReportGroup, source: KeySource, where: string): string {
  const of = (field: (typeof CAUSE_FIELDS)[number]) =>
    source === "raw" ? TOTALS[field].of(columnOf("")) : TOTALS[field].column;
  const [missed, invalidated] = [of("missedTokens"), of("invalidatedTokens")];
  const sums = CAUSE_FIELDS.map((field) => `sum(${of(field)}) AS "${field}"`).join(", ");
  return `SELECT ${groupKeysSql(by, source)}, ${sums}
    ${where} AND ${missed} + ${invalidated} > 0 GROUP BY k1, k2, cause`;
}

/** The totals a per-cause read carries: the lost tokens and what the missed ones cost. */
const CAUSE_FIELDS = [
  "missedTokens",
  "invalidatedTokens",
  "missedCostNano",
  "missedUnpricedRows",
] as const;

/**
 * A report from grouped sums (columns k1, k2 and the ReportTotals fields, numbers or numeric
 * strings), wherever they were read: the local ledger, or the central PostgreSQL table. Sums of
 * the same group from several reads are added together. The lost tokens per cause that name each
 * group's top cause come from sums that carry a `cause` column, or from `causes` (k1, k2, cause,
 * missedTokens, invalidatedTokens), which add to no total.
 */
export function assembleReport(
  query: ReportQuery,
  sums: ReadonlyArray<Record<string, unknown>>,
  causes: ReadonlyArray<Record<string, unknown>> = [],
): LedgerReport {
  const { by, since, until } = query;
  const groups = new Map<string, { k1: unknown; k2: unknown; sums: ReportTotals }>();
  const lostByCause = new Map<string, Map<string, number>>();
  const causeLoss = new Map<string, CauseLoss>();
  for (const row of sums) {
    const id = `${String(row.k1)}\u0000${String(row.k2)}`;
    let group = groups.get(id);
    if (!group) {
      group = { k1: row.k1, k2: row.k2, sums: emptyTotals() };
      groups.set(id, group);
    }
    addTotals(group.sums, row);
  }
  for (const row of [...sums, ...causes]) {
    const id = `${String(row.k1)}\u0000${String(row.k2)}`;
    // A local report by cause reads its groups without a cause column: the group is the cause.
    const cause =
      typeof row.cause === "string" ? row.cause : by === "cause" ? String(row.k1 ?? "") : "";
    const lost = lostTokens({
      missedTokens: Number(row.missedTokens ?? 0),
      invalidatedTokens: Number(row.invalidatedTokens ?? 0),
    });
    if (cause && lost > 0) addCauseLoss(causeLoss, cause, lost, row);
    if (cause && lost > 0) {
      let causes = lostByCause.get(id);
      if (!causes) {
        causes = new Map<string, number>();
        lostByCause.set(id, causes);
      }
      causes.set(cause, (causes.get(cause) ?? 0) + lost);
    }
  }
  const rows: ReportRow[] = [...groups].map(([id, g]) => ({
    key: groupKey(by, g.k1, g.k2),
    topCause: by === "cause" ? null : topCause(lostByCause.get(id)),
    ...g.sums,
  }));
  rows.sort(by === "day" || by === "hour" ? byKey : by === "cause" ? byLost : byCost);
  const totals = emptyTotals();
  for (const row of rows) addTotals(totals, row);
  const limit = query.limit && query.limit > 0 ? query.limit : rows.length;
  return {
    by,
    since,
    until,
    rows: rows.slice(0, limit),
    totals,
    omitted: Math.max(0, rows.length - limit),
    causes: [...causeLoss.values()].sort(
      (a, b) => b.lostTokens - a.lostTokens || a.cause.localeCompare(b.cause),
    ),
    pricierRoutes: [],
  };
}

function addCauseLoss(
  into: Map<string, CauseLoss>,
  cause: string,
  lost: number,
  row: Record<string, unknown>,
): void {
  const entry = into.get(cause) ?? {
    cause,
    lostTokens: 0,
    missedCostNano: 0,
    missedUnpricedRows: 0,
  };
  entry.lostTokens += lost;
  entry.missedCostNano += Number(row.missedCostNano ?? 0);
  entry.missedUnpricedRows += Number(row.missedUnpricedRows ?? 0);
  into.set(cause, entry);
}

/** The cause with the most lost tokens; ties go to the first name. */
function topCause(causes: Map<string, number> | undefined): string | null {
  let best: { cause: string; lost: number } | undefined;
  for (const [cause, lost] of causes ?? []) {
    if (!best || lost > best.lost || (lost === best.lost && cause < best.cause))
      best = { cause, lost };
  }
  return best?.cause ?? null;
}

const byKey = (a: ReportRow, b: ReportRow) => String(a.key).localeCompare(String(b.key));
const byLost = (a: ReportRow, b: ReportRow) =>
  lostTokens(b) - lostTokens(a) || b.calls - a.calls || byKey(a, b);
const byCost = (a: ReportRow, b: ReportRow) =>
  b.costNano - a.costNano || b.total - a.total || byKey(a, b);
