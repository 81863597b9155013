/**
 * What every report sums over the ledger's rows, declared once: each total is what one
 * `usage_rows` row adds, as SQL that SQLite and PostgreSQL both read. The hourly rollup's
 * columns and its trigger (`store/rollup.ts`), the report's reads of the rollup and of the raw
 * rows, the central table's report (`postgres/report.ts`), the Prometheus counters
 * (`metrics/aggregate.ts`) and the `ReportTotals` type all come from this table; the figures an
 * operator reads are derived from these totals in one place, `report/figures.ts`.
 *
 * Adding a total: add it here (its rollup column is the snake_case name), add a ledger schema
 * step with `rebuildsRollup` (store/migrate.ts), and derive any new figure in figures.ts.
 */

/** SQL for what one row contributes; `col` names a column of that row (`NEW.x`, `usage_rows.x`, `x`). */
type PerRow = (col: (name: string) => string) => string;

interface Total {
  /** The rollup column that keeps it. */
  column: string;
  of: PerRow;
  /** What it is, for the report's readers. */
  doc: string;
}

const when = (condition: string, then = "1") => `CASE WHEN ${condition} THEN ${then} ELSE 0 END`;
const orZero = (expression: string) => `coalesce(${expression}, 0)`;
const accounted = (col: (name: string) => string, then: string) =>
  when(`${col("expected_cache_read")} IS NOT NULL`, then);

export const TOTALS = {
  rows: { column: "rows", of: () => "1", doc: "Ledger rows (call rows plus run rows)." },
  calls: { column: "calls", of: (c) => c("calls"), doc: "Model calls." },
  errors: { column: "errors", of: (c) => when(`${c("outcome")} = 'error'`), doc: "Failed calls." },
  input: { column: "input", of: (c) => c("input"), doc: "Uncached prompt tokens." },
  output: { column: "output", of: (c) => c("output"), doc: "Output tokens." },
  cacheRead: { column: "cache_read", of: (c) => c("cache_read"), doc: "Cache reads." },
  cacheWrite: { column: "cache_write", of: (c) => c("cache_write"), doc: "Cache writes." },
  total: { column: "total", of: (c) => c("total"), doc: "All tokens." },
  costNano: {
    column: "cost_nusd",
    of: (c) => orZero(c("cost_nusd")),
    doc: "Known costs plus the priced part of partial ones (nano-USD); an unknown cost adds nothing and is counted instead.",
  },
  costPartialRows: {
    column: "cost_partial_rows",
    of: (c) => when(`${c("cost_state")} = 'partial'`),
    doc: "Rows with a token kind that had no price: only their priced kinds are in costNano.",
  },
  costUnknownRows: {
    column: "cost_unknown_rows",
    of: (c) => when(`${c("cost_state")} = 'unknown'`),
    doc: "Rows whose cost is unknown (no price for what they used): not in costNano.",
  },
  unpricedCalls: {
    column: "unpriced_calls",
    of: (c) => when(`${c("cost_state")} <> 'known'`, c("calls")),
    doc: "Model calls in partial or unknown rows.",
  },
  savingNano: {
    column: "saving_nusd",
    of: (c) => orZero(c("saving_nusd")),
    doc: "What cache reads saved against uncached input (nano-USD), where priced.",
  },
  savingUnknownRows: {
    column: "saving_unknown_rows",
    of: (c) => when(`${c("saving_nusd")} IS NULL`),
    doc: "Rows whose cache saving is unknown (cache reads without both prices): not in savingNano.",
  },
  expectedCacheRead: {
    column: "expected_cache_read",
    of: (c) => orZero(c("expected_cache_read")),
    doc: "Tokens the accounted calls could have read from cache (their ceiling).",
  },
  missedTokens: {
    column: "missed_tokens",
    of: (c) => orZero(c("missed_tokens")),
    doc: "Of those, the tokens not read.",
  },
  invalidatedTokens: {
    column: "invalidated_tokens",
    of: (c) => orZero(c("invalidated_tokens")),
    doc: "Tokens a change of the prompt made unreadable (system prompt, tools, history).",
  },
  beyondPlateauTokens: {
    column: "beyond_plateau_tokens",
    of: (c) => orZero(c("beyond_plateau_tokens")),
    doc: "Shared prefix past where the provider's cache reads stop (its plateau): a provider limit, not in the expected reads nor in LOST.",
  },
  accountedPrompt: {
    column: "accounted_prompt",
    of: (c) => accounted(c, `${c("input")} + ${c("cache_read")} + ${c("cache_write")}`),
    doc: "Prompt tokens of the accounted calls: the base of the ideal hit rate.",
  },
  accountedRead: {
    column: "accounted_read",
    of: (c) => accounted(c, c("cache_read")),
    doc: "Cache reads of the accounted calls: the base of the efficiency.",
  },
  unaccountedCalls: {
    column: "unaccounted_calls",
    of: (c) => when(`${c("expected_cache_read")} IS NULL`, c("calls")),
    doc: "Calls without cache accounting (no optimizer capture, no usage, older rows).",
  },
  missedCostNano: {
    column: "missed_cost_nusd",
    of: (c) => orZero(c("missed_cost_nusd")),
    doc: "What the missed tokens cost beyond a cache read (nano-USD), where priced.",
  },
  missedUnpricedRows: {
    column: "missed_unpriced_rows",
    of: (c) => when(`${c("missed_tokens")} > 0 AND ${c("missed_cost_nusd")} IS NULL`),
    doc: "Rows that missed tokens without both prices: not in missedCostNano.",
  },
} as const satisfies Record<string, Total>;

export type TotalField = keyof typeof TOTALS;
export type ReportTotals = Record<TotalField, number>;
export const TOTAL_FIELDS = Object.keys(TOTALS) as TotalField[];

export const emptyTotals = (): ReportTotals =>
  Object.fromEntries(TOTAL_FIELDS.map((field) => [field, 0])) as ReportTotals;

/** Adds grouped sums (numbers, or the numeric strings PostgreSQL answers) into `target`. */
export function addTotals(
  target: ReportTotals,
  source: { readonly [K in TotalField]?: unknown },
): void {
  for (const field of TOTAL_FIELDS) {
    const value = source[field];
    target[field] += typeof value === "number" ? value : Number(value ?? 0);
  }
}

/** A column reference under a row alias (`NEW`, a table name) or bare (""). */
export const columnOf =
  (alias: string) =>
  (name: string): string =>
    alias ? `${alias}.${name}` : name;

/** `sum(<per row>) AS "<field>"` for every total, over raw rows (either database). */
export function rawSumsSql(alias = "", separator = ", "): string {
  const col = columnOf(alias);
  return TOTAL_FIELDS.map((field) => `sum(${TOTALS[field].of(col)}) AS "${field}"`).join(separator);
}

/** `sum(<rollup column>) AS "<field>"` for every total, over a rollup table. */
export function rollupSumsSql(): string {
  return TOTAL_FIELDS.map((field) => `sum(${TOTALS[field].column}) AS "${field}"`).join(", ");
}
