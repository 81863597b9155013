import { adviceText } from "./advice.ts";
import {
  efficiencyText,
  lostTokens,
  type MoneyState,
  missedCostText,
  moneyNotes,
  percentText,
  type ReportFigures,
  usdText,
} from "./figures.ts";
import { type ReportJson, reportToJson } from "./output.ts";
import type { LedgerReport } from "./query.ts";
import { pricierRouteText } from "./route-cost.ts";

/** The report as a fixed-width table for people: thousands separators, figures' own text. */

const int = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** `?` unknown, `1.20~` a lower bound (partial), `1.20` known. */
const MARK: Record<MoneyState, string> = { known: "", partial: "~", unknown: "?" };
const moneyCell = (usd: number | null, state: MoneyState): string =>
  usd === null ? MARK.unknown : `${usdText(usd)}${MARK[state]}`;

const TABLE_HEAD = [
  "CALLS",
  "INPUT",
  "OUTPUT",
  "CACHE READ",
  "CACHE WRITE",
  "HIT %",
  "IDEAL %",
  "EFF %",
  "LOST",
  "MISSED $",
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
    percentText(f.hitPercent),
    percentText(f.idealHitPercent),
    efficiencyText(f.efficiency),
    int.format(f.lostTokens),
    missedCostText(f),
    moneyCell(f.costUsd, f.costState),
    moneyCell(f.cacheSavingUsd, f.savingState),
  ];
}

/** A fixed-width table with a TOTAL line, for terminals. */
export function reportToTable(report: LedgerReport): string {
  const json = reportToJson(report);
  const keyHead = report.by.toUpperCase();
  const none = report.by === "cause" ? "(not accounted)" : "(unknown)";
  // Which cause lost each group the most tokens (a cause report is already that breakdown).
  const causes = report.by !== "cause";
  const body = json.rows.map((row) => [
    printable(row.key ?? none),
    ...tableCells(row),
    ...(causes ? [row.topCause ?? "-"] : []),
  ]);
  const total = ["TOTAL", ...tableCells(json.totals), ...(causes ? [""] : [])];
  const all = [[keyHead, ...TABLE_HEAD, ...(causes ? ["TOP CAUSE"] : [])], ...body, total];
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
  lines.push(
    ...cacheNotes(json.totals),
    ...causeAdvice(json),
    ...json.pricierRoutes.map((route) => `Route cost: ${pricierRouteText(route)}`),
    ...priceNotes(json.totals),
  );
  return `${lines.join("\n")}\n`;
}

/** What LOST means, and how many calls the ideal and the efficiency leave out. */
function cacheNotes(totals: ReportFigures): string[] {
  const notes: string[] = [];
  if (lostTokens(totals) > 0) {
    notes.push(
      "LOST: cacheable tokens not read (against IDEAL) plus tokens a prompt change made unreadable; --by cause says why",
      `MISSED $: what the tokens not read cost beyond a cache read${totals.missedUnpricedRows > 0 ? ` (${totals.missedUnpricedRows} row(s) without both prices: ~ a lower bound, ? none priced)` : ""}`,
    );
  }
  if (totals.beyondPlateauTokens > 0) {
    notes.push(
      `${int.format(totals.beyondPlateauTokens)} shared prompt token(s) lay past where the provider's cache reads stop (its plateau): a provider limit, not in IDEAL, EFF % or LOST`,
    );
  }
  if (totals.unaccountedCalls > 0) {
    notes.push(
      `${totals.unaccountedCalls} call(s) without cache accounting (no optimizer capture or no usage) are not in IDEAL % or EFF %`,
    );
  }
  return notes;
}

/** Per cause that lost tokens: what it lost, what its misses cost, what it means and the lever. */
function causeAdvice(json: ReportJson): string[] {
  if (json.causes.length === 0) return [];
  const lines = ["What each cause means and what to do (LOST tokens, MISSED $):"];
  for (const c of json.causes) {
    const advice = c.advice ? adviceText(c.advice) : "a cause this version does not know.";
    lines.push(
      `  ${printable(c.cause)}: ${int.format(c.lostTokens)} lost, ${c.missedCostUsd === null ? "missed cost unknown" : `$${missedCostText(c)} missed`}. ${advice}`,
    );
  }
  return lines;
}

/** What the markers mean, with the counts behind them, and where prices come from. */
function priceNotes(totals: ReportFigures): string[] {
  const notes = moneyNotes(totals);
  if (notes.length > 0) {
    notes.unshift("COST/SAVED: ~ a lower bound, ? unknown");
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
