import { adviceFor, type CauseAdvice } from "./advice.ts";
import { CSV_COLUMNS, csvValues, figures, missedCostUsd, type ReportFigures } from "./figures.ts";
import type { LedgerReport } from "./query.ts";
import type { PricierRoute } from "./route-cost.ts";

/**
 * The machine renderings of a ledger report: JSON (`--json` and the gateway method) and CSV.
 * Both carry exact values (token counts as integers, USD to the nano-dollar the ledger stores,
 * the unrounded hit rate), every figure derived in report/figures.ts. Money is never shown as
 * more certain than it is: a cost or saving is `known`, `partial` (a lower bound) or `unknown`
 * (null in JSON, empty in CSV), with the count of rows or calls that made it so.
 */

export type { MoneyState, ReportFigures } from "./figures.ts";

export interface ReportJson {
  by: LedgerReport["by"];
  since: string;
  until: string;
  /**
   * `topCause`: the cause that lost the group the most tokens (null: none lost, or by cause);
   * `advice`: by cause, what the group's cause means and the operator's lever (report/advice.ts).
   */
  rows: Array<
    { key: string | null; topCause: string | null; advice?: CauseAdvice | null } & ReportFigures
  >;
  totals: ReportFigures;
  omittedGroups: number;
  /** Every cause that lost tokens in the range (whatever the grouping), most first. */
  causes: CauseJson[];
  /** Agents whose cost a pricier autorouted route drives (report/route-cost.ts). */
  pricierRoutes: PricierRoute[];
}

export interface CauseJson {
  cause: string;
  lostTokens: number;
  /** As the figure of the same name: null when none of it is priced, a lower bound with unpriced rows. */
  missedCostUsd: number | null;
  missedUnpricedRows: number;
  /** null for a cause this version does not know. */
  advice: CauseAdvice | null;
}

/** The payload of `--json` and of the gateway method. */
export function reportToJson(report: LedgerReport): ReportJson {
  return {
    by: report.by,
    since: new Date(report.since).toISOString(),
    until: new Date(report.until).toISOString(),
    rows: report.rows.map((row) => ({
      key: row.key,
      topCause: row.topCause,
      ...(report.by === "cause" ? { advice: adviceFor(row.key) ?? null } : {}),
      ...figures(row),
    })),
    totals: figures(report.totals),
    omittedGroups: report.omitted,
    causes: report.causes.map((c) => ({
      cause: c.cause,
      lostTokens: c.lostTokens,
      missedCostUsd: missedCostUsd(c),
      missedUnpricedRows: c.missedUnpricedRows,
      advice: adviceFor(c.cause) ?? null,
    })),
    pricierRoutes: report.pricierRoutes,
  };
}

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

/** CSV: a header and one line per group. No totals line, so summing a column never double counts. */
export function reportToCsv(report: LedgerReport): string {
  const json = reportToJson(report);
  const lines = [CSV_COLUMNS.join(",")];
  for (const row of json.rows) lines.push(csvValues(row).map(csvField).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
