import { cacheHitPercent } from "@cloudsigma/taas-core/usage/cache-hit";
import { nanoToUsd } from "@cloudsigma/taas-core/usage/usage-cost";
import type { LedgerReport, ReportTotals } from "./query.ts";

/**
 * The three renderings of a ledger report. JSON and CSV carry exact values (token counts as
 * integers, USD to the nano-dollar the ledger stores, the unrounded hit rate); the table is
 * for people: thousands separators, rounded money, hit rate to one decimal (rounded down).
 * Money is never shown as more certain than it is: a cost or saving is `known`, `partial` (a
 * lower bound: some rows had a token kind without a price) or `unknown` (null in JSON, empty in
 * CSV, `?` in the table), with the count of rows that made it so.
 */

/** How much of a sum is known: every row, some rows (a lower bound), or none. */
export type MoneyState = "known" | "partial" | "unknown";

function moneyState(rows: number, partialRows: number, unknownRows: number): MoneyState {
  if (partialRows + unknownRows === 0) return "known";
  return unknownRows >= rows ? "unknown" : "partial";
}

/** The token counts as the ledger sums them; rows, money and the hit rate as people read them. */
export type ReportFigures = Pick<
  ReportTotals,
  "calls" | "errors" | "input" | "output" | "cacheRead" | "cacheWrite" | "total"
> & {
  ledgerRows: number;
  /** cacheRead / (input + cacheRead + cacheWrite) * 100; null without prompt tokens. */
  hitPercent: number | null;
  /**
   * What was possible: the accounted calls' expected cache reads / their prompt tokens * 100
   * (see cache-accounting.ts); null when no call in the group was accounted.
   */
  idealHitPercent: number | null;
  /** Achieved / possible for the accounted calls: their cache reads / expected reads. */
  efficiency: number | null;
  expectedCacheRead: number;
  missedTokens: number;
  invalidatedTokens: number;
  /** Calls without cache accounting, not in the ideal or the efficiency. */
  unaccountedCalls: number;
  /** What the missed tokens cost beyond a cache read; null when none of it is priced. */
  missedCostUsd: number | null;
  /** Rows that missed tokens without an input and a cache-read price (not in missedCostUsd). */
  missedUnpricedRows: number;
  /** Null when no row's cost is known; a lower bound when `costState` is partial. */
  costUsd: number | null;
  costState: MoneyState;
  /** Rows with a token kind without a price: only their priced part is in costUsd. */
  costPartialRows: number;
  /** Rows whose cost is unknown and therefore not in costUsd. */
  costUnknownRows: number;
  /** Model calls in partial or unknown rows. */
  unpricedCalls: number;
  cacheSavingUsd: number | null;
  savingState: MoneyState;
  /** Rows with cache reads but not both the input and the cache-read price. */
  savingUnknownRows: number;
};

export interface ReportJson {
  by: LedgerReport["by"];
  since: string;
  until: string;
  /** `topCause`: the cause that lost the group the most tokens (null: none lost, or by cause). */
  rows: Array<{ key: string | null; topCause: string | null } & ReportFigures>;
  totals: ReportFigures;
  omittedGroups: number;
}

function figures(t: ReportTotals): ReportFigures {
  const costState = moneyState(t.rows, t.costPartialRows, t.costUnknownRows);
  const savingState = moneyState(t.rows, 0, t.savingUnknownRows);
  return {
    calls: t.calls,
    ledgerRows: t.rows,
    errors: t.errors,
    input: t.input,
    output: t.output,
    cacheRead: t.cacheRead,
    cacheWrite: t.cacheWrite,
    total: t.total,
    hitPercent: cacheHitPercent(t),
    idealHitPercent: t.accountedPrompt > 0 ? (t.expectedCacheRead / t.accountedPrompt) * 100 : null,
    efficiency: t.expectedCacheRead > 0 ? t.accountedRead / t.expectedCacheRead : null,
    expectedCacheRead: t.expectedCacheRead,
    missedTokens: t.missedTokens,
    invalidatedTokens: t.invalidatedTokens,
    unaccountedCalls: t.unaccountedCalls,
    missedCostUsd:
      t.missedCostNano === 0 && t.missedUnpricedRows > 0 ? null : nanoToUsd(t.missedCostNano),
    missedUnpricedRows: t.missedUnpricedRows,
    costUsd: costState === "unknown" ? null : nanoToUsd(t.costNano),
    costState,
    costPartialRows: t.costPartialRows,
    costUnknownRows: t.costUnknownRows,
    unpricedCalls: t.unpricedCalls,
    cacheSavingUsd: savingState === "unknown" ? null : nanoToUsd(t.savingNano),
    savingState,
    savingUnknownRows: t.savingUnknownRows,
  };
}

/** The payload of `--json` and of the gateway method. */
export function reportToJson(report: LedgerReport): ReportJson {
  return {
    by: report.by,
    since: new Date(report.since).toISOString(),
    until: new Date(report.until).toISOString(),
    rows: report.rows.map((row) => ({ key: row.key, topCause: row.topCause, ...figures(row) })),
    totals: figures(report.totals),
    omittedGroups: report.omitted,
  };
}

const CSV_COLUMNS = [
  "key",
  "calls",
  "ledger_rows",
  "errors",
  "input",
  "output",
  "cache_read",
  "cache_write",
  "total",
  "hit_percent",
  "ideal_hit_percent",
  "efficiency",
  "expected_cache_read",
  "missed_tokens",
  "invalidated_tokens",
  "unaccounted_calls",
  "missed_cost_usd",
  "missed_unpriced_rows",
  "cost_usd",
  "cost_state",
  "cost_partial_rows",
  "cost_unknown_rows",
  "unpriced_calls",
  "cache_saving_usd",
  "saving_state",
  "saving_unknown_rows",
  "top_cause",
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled.
 * A text value starting with = + - @ or a tab is prefixed with ' so spreadsheets never run it
 * as a formula (session keys and agent ids come from users).
 */
export function csvField(value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvLine(f: ReportJson["rows"][number]): string {
  return [
    f.key,
    f.calls,
    f.ledgerRows,
    f.errors,
    f.input,
    f.output,
    f.cacheRead,
    f.cacheWrite,
    f.total,
    f.hitPercent,
    f.idealHitPercent,
    f.efficiency,
    f.expectedCacheRead,
    f.missedTokens,
    f.invalidatedTokens,
    f.unaccountedCalls,
    f.missedCostUsd,
    f.missedUnpricedRows,
    f.costUsd,
    f.costState,
    f.costPartialRows,
    f.costUnknownRows,
    f.unpricedCalls,
    f.cacheSavingUsd,
    f.savingState,
    f.savingUnknownRows,
    f.topCause,
  ]
    .map(csvField)
    .join(",");
}

/** CSV: a header and one line per group. No totals line, so summing a column never double counts. */
export function reportToCsv(report: LedgerReport): string {
  const json = reportToJson(report);
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of json.rows) lines.push(csvLine(row));
  return `${lines.join("\r\n")}\r\n`;
}
