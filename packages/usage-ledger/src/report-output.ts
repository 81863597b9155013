import { cacheHitPercent, formatHitPercent } from "@cloudsigma/taas-core/cache-hit";
import { nanoToUsd } from "@cloudsigma/taas-core/usage-cost";
import type { LedgerReport, ReportTotals } from "./ledger-report.ts";

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
  cacheHitPercent: number | null;
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
  rows: Array<{ key: string | null } & ReportFigures>;
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
    cacheHitPercent: cacheHitPercent(t),
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
    rows: report.rows.map((row) => ({ key: row.key, ...figures(row) })),
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
  "cache_hit_percent",
  "cost_usd",
  "cost_state",
  "cost_partial_rows",
  "cost_unknown_rows",
  "unpriced_calls",
  "cache_saving_usd",
  "saving_state",
  "saving_unknown_rows",
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

function csvLine(key: string | null, f: ReportFigures): string {
  return [
    key,
    f.calls,
    f.ledgerRows,
    f.errors,
    f.input,
    f.output,
    f.cacheRead,
    f.cacheWrite,
    f.total,
    f.cacheHitPercent,
    f.costUsd,
    f.costState,
    f.costPartialRows,
    f.costUnknownRows,
    f.unpricedCalls,
    f.cacheSavingUsd,
    f.savingState,
    f.savingUnknownRows,
  ]
    .map(csvField)
    .join(",");
}

/** CSV: a header and one line per group. No totals line, so summing a column never double counts. */
export function reportToCsv(report: LedgerReport): string {
  const json = reportToJson(report);
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of json.rows) lines.push(csvLine(row.key, row));
  return `${lines.join("\r\n")}\r\n`;
}

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const money = (usd: number): string =>
  usd === 0 ? "0" : usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2);

/** `?` unknown, `1.20~` a lower bound (partial), `1.20` known. */
const MARK: Record<MoneyState, string> = { known: "", partial: "~", unknown: "?" };
const moneyCell = (usd: number | null, state: MoneyState): string =>
  usd === null ? MARK.unknown : `${money(usd)}${MARK[state]}`;

const TABLE_HEAD = [
  "CALLS",
  "INPUT",
  "OUTPUT",
  "CACHE READ",
  "CACHE WRITE",
  "HIT %",
  "COST $",
  "SAVED $",
];

function tableCells(f: ReportFigures): string[] {
  return [
    int.format(f.calls),
    int.format(f.input),
    int.format(f.output),
    int.format(f.cacheRead),
    int.format(f.cacheWrite),
    formatHitPercent(f.cacheHitPercent),
    moneyCell(f.costUsd, f.costState),
    moneyCell(f.cacheSavingUsd, f.savingState),
  ];
}

/** A fixed-width table with a TOTAL line, for terminals. */
export function reportToTable(report: LedgerReport): string {
  const json = reportToJson(report);
  const keyHead = report.by.toUpperCase();
  const body = json.rows.map((row) => [printable(row.key ?? "(unknown)"), ...tableCells(row)]);
  const total = ["TOTAL", ...tableCells(json.totals)];
  const all = [[keyHead, ...TABLE_HEAD], ...body, total];
  const widths =
    all[0]?.map((_, col) => Math.max(...all.map((cells) => (cells[col] ?? "").length))) ?? [];
  const render = (cells: string[]) =>
    cells
      .map((cell, col) =>
        col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0),
      )
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  const lines = [
    `Usage by ${report.by}, ${json.since} .. ${json.until}`,
    "",
    render(all[0] ?? []),
    rule,
    ...body.map(render),
    rule,
    render(total),
  ];
  if (json.rows.length === 0) lines.splice(4, 0, "(no usage recorded in this range)");
  if (json.omittedGroups > 0)
    lines.push(`(${json.omittedGroups} more group(s) not shown; TOTAL includes them)`);
  lines.push(...priceNotes(json.totals));
  return `${lines.join("\n")}\n`;
}

/** What the markers mean, with the counts behind them, and where prices come from. */
function priceNotes(totals: ReportFigures): string[] {
  const notes: string[] = [];
  if (totals.costPartialRows > 0) {
    notes.push(
      `~ ${totals.costPartialRows} row(s) used a token kind without a price (e.g. cache reads): COST has their priced part only`,
    );
  }
  if (totals.costUnknownRows > 0) {
    notes.push(`? ${totals.costUnknownRows} row(s) without a known price are not in COST`);
  }
  if (totals.savingUnknownRows > 0) {
    notes.push(
      `SAVED leaves out ${totals.savingUnknownRows} row(s) without both an input and a cache-read price`,
    );
  }
  if (notes.length > 0) {
    notes.push("Prices: set models.providers.<id>.models[].cost in the OpenClaw config (README)");
  }
  return notes;
}

/** Control characters in user-supplied keys would break the table layout: show them escaped. */
function printable(value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
  }
  return out;
}
