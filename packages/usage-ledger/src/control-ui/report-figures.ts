/**
 * The browser's reading of `usage-ledger.report` rows. It reads every field defensively: the
 * page must keep working when the gateway runs an older or newer ledger, and cost fields are
 * growing explicit unknown/partial markers (a `costState`, an unpriced count), so a missing
 * price is never shown as $0.
 */

export type CostState = "priced" | "partial" | "unknown" | "none";

export interface Figures {
  key: string | null;
  calls: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  hitPercent: number | null;
  idealHitPercent: number | null;
  efficiency: number | null;
  missedTokens: number;
  invalidatedTokens: number;
  costUsd: number;
  cacheSavingUsd: number;
  /** Calls (or ledger rows, on ledgers that count those) whose price is unknown. */
  unpriced: number;
  costState: CostState;
  /** The cause that lost the group the most tokens (null: none lost, or an older ledger). */
  topCause: string | null;
}

export interface Report {
  by: string;
  since: string;
  until: string;
  rows: Figures[];
  totals: Figures;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const num = (record: Record<string, unknown>, key: string): number => {
  const value = record[key];
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
};

const numOrNull = (record: Record<string, unknown>, key: string): number | null => {
  const value = record[key];
  return typeof value === "number" && Number.isFinite(value) ? value : null;
};

/** The first count of unpriced calls the report carries, under any of the names it has used. */
function unpricedOf(record: Record<string, unknown>): number {
  for (const key of ["unpricedCalls", "costUnpricedCalls", "costUnknownCalls", "costUnknownRows"]) {
    const value = numOrNull(record, key);
    if (value !== null) return value;
  }
  return 0;
}

function costStateOf(record: Record<string, unknown>, calls: number, unpriced: number): CostState {
  const stated = record.costState;
  if (typeof stated === "string") {
    if (stated === "unknown" || stated === "partial" || stated === "none") return stated;
    if (stated === "known" || stated === "priced" || stated === "complete") return "priced";
  }
  if (calls === 0) return "none";
  if (unpriced <= 0) return "priced";
  const rows = numOrNull(record, "ledgerRows") ?? calls;
  return unpriced >= rows ? "unknown" : "partial";
}

export function readFigures(value: unknown): Figures {
  const record = isObject(value) ? value : {};
  const calls = num(record, "calls");
  const unpriced = unpricedOf(record);
  const key = record.key;
  return {
    key: typeof key === "string" ? key : null,
    calls,
    input: num(record, "input"),
    cacheRead: num(record, "cacheRead"),
    cacheWrite: num(record, "cacheWrite"),
    hitPercent: numOrNull(record, "hitPercent"),
    idealHitPercent: numOrNull(record, "idealHitPercent"),
    efficiency: numOrNull(record, "efficiency"),
    missedTokens: num(record, "missedTokens"),
    invalidatedTokens: num(record, "invalidatedTokens"),
    costUsd: num(record, "costUsd"),
    cacheSavingUsd: num(record, "cacheSavingUsd"),
    unpriced,
    costState: costStateOf(record, calls, unpriced),
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
  };
}

/** Hit rate to one decimal, rounded down like the CLI table, so 99.96 % never reads 100 %. */
export function percentText(value: number | null): string {
  if (value === null) return "–";
  return `${(Math.floor(value * 10) / 10).toFixed(1)} %`;
}

export function efficiencyText(value: number | null): string {
  return value === null ? "–" : `${Math.round(value * 100)} %`;
}

const usd = (value: number): string =>
  `$${value >= 1 ? value.toFixed(2) : value.toFixed(value >= 0.01 ? 3 : 4)}`;

/**
 * Money as the operator should read it: a known amount, a lower bound when some calls had no
 * price, "unknown" when none had one, and a dash when there were no calls.
 */
export function moneyText(
  amount: number,
  figures: Pick<Figures, "costState" | "unpriced">,
): string {
  switch (figures.costState) {
    case "none":
      return "–";
    case "unknown":
      return "unknown";
    case "partial":
      return `≥ ${usd(amount)} (${figures.unpriced} unpriced)`;
    case "priced":
      return usd(amount);
  }
}

export function tokensText(value: number): string {
  if (value >= 1_000_000) return `${(value / 1_000_000).toFixed(1)}M`;
  if (value >= 10_000) return `${Math.round(value / 1000)}k`;
  return String(Math.round(value));
}
