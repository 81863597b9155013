import { cacheHitPercent } from "@cloudsigma/taas-core/usage/cache-hit";
import type { ReportTotals } from "./totals.ts";

/**
 * Every figure an operator reads, derived from the report totals in one place: the CLI table,
 * `--json` / `--csv`, the gateway method `usage-ledger.report`, the Control UI page, the
 * Prometheus counters and the warm-miss log line all take them from here, and print them with
 * the text functions at the end, so no two of them can show the same figure differently.
 * This module has no Node or DOM dependency: the browser page bundles it too.
 */

/** How much of a money sum is known: every row, some rows (a lower bound), or none. */
export type MoneyState = "known" | "partial" | "unknown";

function moneyState(rows: number, partialRows: number, unknownRows: number): MoneyState {
  if (partialRows + unknownRows === 0) return "known";
  return unknownRows >= rows ? "unknown" : "partial";
}

const usd = (nano: number): number => Number((nano / 1e9).toFixed(9));

/**
 * Lost tokens: what the conversation allowed the cache to serve but it did not, whatever the
 * reason: tokens missed against the ceiling (idle time, a replica switch, the upstream) plus
 * tokens a change of the prompt made unreadable (system prompt, tools, history). What lies past
 * the provider's plateau was never servable, so it is not lost (`beyondPlateauTokens`).
 */
export const lostTokens = (t: Pick<ReportTotals, "missedTokens" | "invalidatedTokens">): number =>
  t.missedTokens + t.invalidatedTokens;

/**
 * What the missed tokens cost beyond a cache read (USD): null when none of it is priced; a
 * lower bound when `missedUnpricedRows` > 0 (`missedCostText` marks it).
 */
export const missedCostUsd = (
  t: Pick<ReportTotals, "missedCostNano" | "missedUnpricedRows">,
): number | null =>
  t.missedCostNano === 0 && t.missedUnpricedRows > 0 ? null : usd(t.missedCostNano);

/** The cost of a sum of rows: null when no row's cost is known. */
export function costFigure(t: ReportTotals): { usd: number | null; state: MoneyState } {
  const state = moneyState(t.rows, t.costPartialRows, t.costUnknownRows);
  return { usd: state === "unknown" ? null : usd(t.costNano), state };
}

/**
 * Each figure: its JSON field (the object key), its CSV header, and how it is derived. The
 * order is the CSV's column order; `key` comes first and `top_cause` last.
 */
const FIGURES = {
  calls: { csv: "calls", of: (t: ReportTotals) => t.calls },
  ledgerRows: { csv: "ledger_rows", of: (t: ReportTotals) => t.rows },
  errors: { csv: "errors", of: (t: ReportTotals) => t.errors },
  input: { csv: "input", of: (t: ReportTotals) => t.input },
  output: { csv: "output", of: (t: ReportTotals) => t.output },
  cacheRead: { csv: "cache_read", of: (t: ReportTotals) => t.cacheRead },
  cacheWrite: { csv: "cache_write", of: (t: ReportTotals) => t.cacheWrite },
  total: { csv: "total", of: (t: ReportTotals) => t.total },
  /** cacheRead / (input + cacheRead + cacheWrite) * 100; null without prompt tokens. */
  hitPercent: { csv: "hit_percent", of: (t: ReportTotals) => cacheHitPercent(t) },
  /** What was possible: the accounted calls' expected cache reads / their prompt tokens * 100. */
  idealHitPercent: {
    csv: "ideal_hit_percent",
    of: (t: ReportTotals): number | null =>
      t.accountedPrompt > 0 ? (t.expectedCacheRead / t.accountedPrompt) * 100 : null,
  },
  /** Achieved / possible for the accounted calls: their cache reads / expected reads. */
  efficiency: {
    csv: "efficiency",
    of: (t: ReportTotals): number | null =>
      t.expectedCacheRead > 0 ? t.accountedRead / t.expectedCacheRead : null,
  },
  expectedCacheRead: { csv: "expected_cache_read", of: (t: ReportTotals) => t.expectedCacheRead },
  missedTokens: { csv: "missed_tokens", of: (t: ReportTotals) => t.missedTokens },
  invalidatedTokens: { csv: "invalidated_tokens", of: (t: ReportTotals) => t.invalidatedTokens },
  lostTokens: { csv: "lost_tokens", of: lostTokens },
  /** What the provider's cache does not serve (past its plateau): apart from LOST, by design. */
  beyondPlateauTokens: {
    csv: "beyond_plateau_tokens",
    of: (t: ReportTotals) => t.beyondPlateauTokens,
  },
  /** Calls without cache accounting, not in the ideal or the efficiency. */
  unaccountedCalls: { csv: "unaccounted_calls", of: (t: ReportTotals) => t.unaccountedCalls },
  /** What the missed tokens cost beyond a cache read; null when none of it is priced. */
  missedCostUsd: { csv: "missed_cost_usd", of: missedCostUsd },
  missedUnpricedRows: {
    csv: "missed_unpriced_rows",
    of: (t: ReportTotals) => t.missedUnpricedRows,
  },
  /** Null when no row's cost is known; a lower bound when `costState` is partial. */
  costUsd: { csv: "cost_usd", of: (t: ReportTotals) => costFigure(t).usd },
  costState: { csv: "cost_state", of: (t: ReportTotals) => costFigure(t).state },
  costPartialRows: { csv: "cost_partial_rows", of: (t: ReportTotals) => t.costPartialRows },
  costUnknownRows: { csv: "cost_unknown_rows", of: (t: ReportTotals) => t.costUnknownRows },
  /** The unpriced count every view shows beside a cost: calls in partial or unknown rows. */
  unpricedCalls: { csv: "unpriced_calls", of: (t: ReportTotals) => t.unpricedCalls },
  cacheSavingUsd: {
    csv: "cache_saving_usd",
    of: (t: ReportTotals): number | null =>
      moneyState(t.rows, 0, t.savingUnknownRows) === "unknown" ? null : usd(t.savingNano),
  },
  savingState: {
    csv: "saving_state",
    of: (t: ReportTotals) => moneyState(t.rows, 0, t.savingUnknownRows),
  },
  /** The unpriced count beside a saving: rows with cache reads but not both prices. */
  savingUnknownRows: { csv: "saving_unknown_rows", of: (t: ReportTotals) => t.savingUnknownRows },
} as const;

type FigureField = keyof typeof FIGURES;
export type ReportFigures = { [K in FigureField]: ReturnType<(typeof FIGURES)[K]["of"]> };
const FIGURE_FIELDS = Object.keys(FIGURES) as FigureField[];

export function figures(t: ReportTotals): ReportFigures {
  return Object.fromEntries(
    FIGURE_FIELDS.map((field) => [field, FIGURES[field].of(t)]),
  ) as ReportFigures;
}

export const CSV_COLUMNS = ["key", ...FIGURE_FIELDS.map((f) => FIGURES[f].csv), "top_cause"];

/** A group's CSV values in CSV_COLUMNS order. */
export function csvValues(
  row: ReportFigures & { key: string | null; topCause: string | null },
): Array<string | number | null> {
  return [row.key, ...FIGURE_FIELDS.map((f) => row[f]), row.topCause];
}

/* The text of each figure, wherever it is printed. */

/** A rate to one decimal, rounded DOWN, so 99.96 % never reads 100.0 (every token read). */
export function percentText(percent: number | null): string {
  if (percent === null || !Number.isFinite(percent)) return "-";
  return (Math.floor(percent * 10) / 10).toFixed(1);
}

/** Efficiency as a whole percent, rounded down like the hit rate. */
export function efficiencyText(efficiency: number | null): string {
  if (efficiency === null || !Number.isFinite(efficiency)) return "-";
  return String(Math.floor(efficiency * 100 + 1e-9));
}

/** USD with as many decimals as a small amount needs. */
export function usdText(amount: number): string {
  if (amount === 0) return "0";
  if (amount >= 1) return amount.toFixed(2);
  return amount.toFixed(amount >= 0.01 ? 3 : 4);
}

/** A missed cost: `?` none of it priced, `0.12~` a lower bound (some misses unpriced), `0.12`. */
export function missedCostText(
  f: Pick<ReportFigures, "missedCostUsd" | "missedUnpricedRows">,
): string {
  if (f.missedCostUsd === null) return "?";
  return `${usdText(f.missedCostUsd)}${f.missedUnpricedRows > 0 ? "~" : ""}`;
}

/** Tokens in a short form (12.3M, 45k, 812). */
export function tokensText(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  return String(Math.round(value));
}

/**
 * What a cost or saving leaves out, in words every view prints the same way (the CLI's notes,
 * the page's line under its figures): the unpriced counts are the same figures as in JSON.
 */
export function moneyNotes(
  f: Pick<
    ReportFigures,
    | "costState"
    | "costUnknownRows"
    | "costPartialRows"
    | "unpricedCalls"
    | "savingState"
    | "savingUnknownRows"
  >,
): string[] {
  const notes: string[] = [];
  if (f.costState !== "known") {
    const parts = [
      f.costUnknownRows > 0 ? `${f.costUnknownRows} row(s) without a known price` : "",
      f.costPartialRows > 0
        ? `${f.costPartialRows} row(s) with a token kind without a price (only their priced part counts)`
        : "",
    ].filter(Boolean);
    notes.push(`Cost leaves out ${f.unpricedCalls} unpriced call(s): ${parts.join("; ")}`);
  }
  if (f.savingState !== "known") {
    notes.push(
      `Saving leaves out ${f.savingUnknownRows} row(s) without both an input and a cache-read price`,
    );
  }
  return notes;
}
