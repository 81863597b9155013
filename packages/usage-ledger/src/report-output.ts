import { cacheHitPercent, formatHitPercent } from "@cloudsigma/taas-core/cache-hit";
import { nanoToUsd } from "@cloudsigma/taas-core/usage-cost";
import type { LedgerReport, ReportTotals } from "./ledger-report.ts";

/**
 * The three renderings of a ledger report. JSON and CSV carry exact values (token counts as
 * integers, USD to the nano-dollar the ledger stores, the unrounded hit rate); the table is
 * for people: thousands separators, rounded money, hit rate to one decimal (rounded down).
 */

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
  costUsd: number;
  /** Rows whose cost is unknown and therefore not in costUsd. */
  costUnknownRows: number;
  cacheSavingUsd: number;
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
    costUsd: nanoToUsd(t.costNano),
    costUnknownRows: t.costUnknownRows,
    cacheSavingUsd: nanoToUsd(t.savingNano),
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
  "hit_percent",
  "ideal_hit_percent",
  "efficiency",
  "expected_cache_read",
  "missed_tokens",
  "invalidated_tokens",
  "unaccounted_calls",
  "cost_usd",
  "cost_unknown_rows",
  "cache_saving_usd",
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
    f.hitPercent,
    f.idealHitPercent,
    f.efficiency,
    f.expectedCacheRead,
    f.missedTokens,
    f.invalidatedTokens,
    f.unaccountedCalls,
    f.costUsd,
    f.costUnknownRows,
    f.cacheSavingUsd,
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

const TABLE_HEAD = [
  "CALLS",
  "INPUT",
  "OUTPUT",
  "CACHE READ",
  "CACHE WRITE",
  "HIT %",
  "IDEAL %",
  "EFF",
  "LOST",
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
    formatHitPercent(f.hitPercent),
    formatHitPercent(f.idealHitPercent),
    f.efficiency === null ? "-" : f.efficiency.toFixed(2),
    int.format(f.missedTokens + f.invalidatedTokens),
    f.costUnknownRows > 0 ? `${money(f.costUsd)}*` : money(f.costUsd),
    money(f.cacheSavingUsd),
  ];
}

/** A fixed-width table with a TOTAL line, for terminals. */
export function reportToTable(report: LedgerReport): string {
  const json = reportToJson(report);
  const keyHead = report.by.toUpperCase();
  const none = report.by === "cause" ? "(not accounted)" : "(unknown)";
  const body = json.rows.map((row) => [printable(row.key ?? none), ...tableCells(row)]);
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
  if (json.totals.missedTokens + json.totals.invalidatedTokens > 0) {
    lines.push(
      "LOST: cacheable tokens not read (against IDEAL) plus tokens a prompt change made unreadable; --by cause says why",
    );
  }
  if (json.totals.unaccountedCalls > 0) {
    lines.push(
      `${json.totals.unaccountedCalls} call(s) without cache accounting (no optimizer capture or no usage) are not in IDEAL % or EFF`,
    );
  }
  if (json.totals.costUnknownRows > 0) {
    lines.push(`* ${json.totals.costUnknownRows} row(s) without a known price are not in COST`);
  }
  return `${lines.join("\n")}\n`;
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
