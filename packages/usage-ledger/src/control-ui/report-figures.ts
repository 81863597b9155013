import { adviceFor, adviceText } from "../report/advice.ts";
import {
  efficiencyText as efficiencyNumber,
  lostTokens,
  type MoneyState,
  missedCostText,
  moneyNotes,
  percentText as percentNumber,
  type ReportFigures,
  tokensText,
  usdText,
} from "../report/figures.ts";
import type { ModelGeometry } from "../report/geometry-source.ts";
import type { PricierRoute } from "../report/route-cost.ts";

/**
 * The browser's reading of `usage-ledger.report` rows. The figures and their text are the
 * report's own (report/figures.ts, bundled into the page), so the page and the CLI cannot
 * show one figure two ways. It reads every field defensively: a field an older or newer
 * ledger does not send reads as absent, never as a number, and a missing price is never $0.
 */

export { tokensText };

/** The figures the page shows; `costState` adds "none" for a group without calls. */
export type Figures = Pick<
  ReportFigures,
  | "calls"
  | "input"
  | "cacheRead"
  | "cacheWrite"
  | "hitPercent"
  | "idealHitPercent"
  | "efficiency"
  | "missedTokens"
  | "invalidatedTokens"
  | "lostTokens"
  | "costUsd"
  | "costPartialRows"
  | "costUnknownRows"
  | "unpricedCalls"
  | "cacheSavingUsd"
  | "savingState"
  | "savingUnknownRows"
  | "missedCostUsd"
  | "missedUnpricedRows"
> & {
  key: string | null;
  costState: MoneyState | "none";
  /** The cause that lost the group the most tokens (null: none lost, or an older ledger). */
  topCause: string | null;
};

/** A cause that lost tokens, with its missed cost and the advice every view prints for it. */
export interface CauseView {
  cause: string;
  lostTokens: number;
  missedCostUsd: number | null;
  missedUnpricedRows: number;
  /** The advice of report/advice.ts for this cause; null for a cause this page does not know. */
  advice: string | null;
}

export interface Report {
  by: string;
  since: string;
  until: string;
  rows: Figures[];
  totals: Figures;
  /** Every cause that lost tokens in the range, most first (empty from an older ledger). */
  causes: CauseView[];
  /** Agents whose cost a pricier autorouted route drives (empty from an older ledger). */
  pricierRoutes: PricierRoute[];
  /** The cache geometry each model of the range is accounted with, and its source. */
  cacheGeometry: ModelGeometry[];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const numOrNull = (record: Record<string, unknown>, key: string): number | null => {
  const value = record[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
};
const num = (record: Record<string, unknown>, key: string): number => numOrNull(record, key) ?? 0;

const STATES: readonly MoneyState[] = ["known", "partial", "unknown"];
const stateOf = (value: unknown, fallback: MoneyState): MoneyState =>
  STATES.find((state) => state === value) ?? fallback;

export function readFigures(value: unknown): Figures {
  const record = isObject(value) ? value : {};
  const calls = num(record, "calls");
  const missedTokens = num(record, "missedTokens");
  const invalidatedTokens = num(record, "invalidatedTokens");
  const costUsd = numOrNull(record, "costUsd");
  const costState = stateOf(record.costState, costUsd === null ? "unknown" : "known");
  return {
    key: typeof record.key === "string" ? record.key : null,
    calls,
    input: num(record, "input"),
    cacheRead: num(record, "cacheRead"),
    cacheWrite: num(record, "cacheWrite"),
    hitPercent: numOrNull(record, "hitPercent"),
    idealHitPercent: numOrNull(record, "idealHitPercent"),
    efficiency: numOrNull(record, "efficiency"),
    missedTokens,
    invalidatedTokens,
    lostTokens: numOrNull(record, "lostTokens") ?? lostTokens({ missedTokens, invalidatedTokens }),
    costUsd,
    costState: calls === 0 ? "none" : costState,
    costPartialRows: num(record, "costPartialRows"),
    costUnknownRows: num(record, "costUnknownRows"),
    unpricedCalls: num(record, "unpricedCalls"),
    cacheSavingUsd: numOrNull(record, "cacheSavingUsd"),
    savingState: stateOf(record.savingState, "known"),
    savingUnknownRows: num(record, "savingUnknownRows"),
    missedCostUsd: numOrNull(record, "missedCostUsd"),
    missedUnpricedRows: num(record, "missedUnpricedRows"),
    topCause: typeof record.topCause === "string" && record.topCause ? record.topCause : null,
  };
}

export function readReport(value: unknown): Report {
  const record = isObject(value) ? value : {};
  const text = (key: string) => (typeof record[key] === "string" ? String(record[key]) : "");
  const rows = Array.isArray(record.rows) ? record.rows.map(readFigures) : [];
  return {
    by: text("by"),
    since: text("since"),
    until: text("until"),
    rows,
    totals: readFigures(record.totals),
    causes: list(record.causes).flatMap(readCause),
    pricierRoutes: list(record.pricierRoutes).flatMap(readPricierRoute),
    cacheGeometry: list(record.cacheGeometry).flatMap(readModelGeometry),
  };
}

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const textOf = (record: Record<string, unknown>, key: string): string | null =>
  typeof record[key] === "string" && record[key] ? (record[key] as string) : null;

function readCause(value: unknown): CauseView[] {
  const record = isObject(value) ? value : {};
  const cause = textOf(record, "cause");
  if (!cause) return [];
  const advice = adviceFor(cause);
  return [
    {
      cause,
      lostTokens: num(record, "lostTokens"),
      missedCostUsd: numOrNull(record, "missedCostUsd"),
      missedUnpricedRows: num(record, "missedUnpricedRows"),
      advice: advice ? adviceText(advice) : null,
    },
  ];
}

const SOURCES: readonly ModelGeometry["source"][] = ["configured", "probed", "default"];

function readModelGeometry(value: unknown): ModelGeometry[] {
  if (!isObject(value)) return [];
  const source = SOURCES.find((kind) => kind === value.source);
  const { provider, model, key, probedAt } = value;
  if (!source || typeof provider !== "string" || typeof model !== "string") return [];
  return [
    {
      provider,
      model,
      source,
      ...(typeof key === "string" ? { key } : {}),
      ...(typeof probedAt === "string" ? { probedAt } : {}),
      minTokens: num(value, "minTokens"),
      stepTokens: num(value, "stepTokens"),
      ttlSeconds: num(value, "ttlSeconds"),
      plateauTokens: numOrNull(value, "plateauTokens"),
      readyDelaySeconds: num(value, "readyDelaySeconds"),
    },
  ];
}

function readPricierRoute(value: unknown): PricierRoute[] {
  const record = isObject(value) ? value : {};
  const [requested, routed, cheapest] = [
    textOf(record, "requested"),
    textOf(record, "routed"),
    textOf(record, "cheapest"),
  ];
  if (!requested || !routed || !cheapest) return [];
  return [
    {
      agent: textOf(record, "agent"),
      requested,
      routed,
      cheapest,
      calls: num(record, "calls"),
      ofCalls: num(record, "ofCalls"),
      costUsd: num(record, "costUsd"),
      costShare: num(record, "costShare"),
      rateRatio: num(record, "rateRatio"),
    },
  ];
}

/** What the missed tokens cost, as the CLI's MISSED $ column, in the page's words. */
export function missedCostPageText(
  figures: Pick<Figures, "missedCostUsd" | "missedUnpricedRows">,
): string {
  if (figures.missedCostUsd === null) return "unknown";
  const text = `$${missedCostText(figures).replace("~", "")}`;
  return figures.missedUnpricedRows > 0
    ? `≥ ${text} (${figures.missedUnpricedRows} unpriced)`
    : text;
}

/** Hit rate to one decimal, rounded down like the CLI table, so 99.96 % never reads 100 %. */
export function percentText(value: number | null): string {
  return value === null ? "–" : `${percentNumber(value)} %`;
}

/** Efficiency as the CLI's EFF % column prints it. */
export function efficiencyText(value: number | null): string {
  return value === null ? "–" : `${efficiencyNumber(value)} %`;
}

/**
 * A cost or saving as the operator should read it: a known amount, a lower bound with the
 * unpriced count the CLI's notes name, "unknown" when nothing was priced, a dash without calls.
 */
export function moneyText(figures: Figures, which: "cost" | "saving"): string {
  if (figures.costState === "none") return "–";
  const cost = which === "cost";
  const amount = cost ? figures.costUsd : figures.cacheSavingUsd;
  const state = cost ? figures.costState : figures.savingState;
  const unpriced = cost ? figures.unpricedCalls : figures.savingUnknownRows;
  if (amount === null || state === "unknown") return "unknown";
  if (state === "partial") return `≥ $${usdText(amount)} (${unpriced} unpriced)`;
  return `$${usdText(amount)}`;
}

/** The CLI's notes on what the money leaves out, word for word. */
export function moneyNoteLines(figures: Figures): string[] {
  if (figures.costState === "none") return [];
  return moneyNotes({ ...figures, costState: figures.costState });
}
