import { costFigure, figures } from "../report/figures.ts";
import { LABELS, type SeriesTotals } from "./aggregate.ts";

/*
 * The Prometheus text exposition of the ledger's counters. Each family is declared once below
 * and reads its values from the same totals and figures as every report (report/totals.ts,
 * report/figures.ts), so a dashboard and `openclaw usage-ledger report` agree. Names follow
 * Prometheus conventions (a `_total` suffix on counters, base units: tokens, USD); the token
 * type label carries the OpenTelemetry GenAI `gen_ai.token.type` values (`input`, `output`)
 * plus the two cache kinds, named as the ledger and OpenClaw's diagnostics name them
 * (`cache_read`, `cache_write`). `input` is the uncached part of the prompt, as in the ledger:
 * prompt = input + cache_read + cache_write.
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** One sample of a series: extra labels and a value, or nothing to say (unknown, not 0). */
type Sample = [extra: Record<string, string>, value: number];

/** One sample of the series' total; none when the figure is unknown (never a 0 for it). */
const total =
  (value: (totals: SeriesTotals["totals"]) => number | null) =>
  (series: SeriesTotals): Sample[] => {
    const figure = value(series.totals);
    return figure === null ? [] : [[{}, figure]];
  };

/** What each family means, as Prometheus shows it (HELP). */
const HELP = {
  usage_ledger_calls_total: "Model calls recorded in the usage ledger.",
  usage_ledger_tokens_total:
    "Tokens recorded in the usage ledger by gen_ai_token_type (input is the uncached prompt part).",
  usage_ledger_lost_tokens_total:
    "Lost tokens by miss_cause: cacheable prompt tokens not read from the provider cache plus tokens a prompt change made unreadable (the reports' LOST).",
  usage_ledger_cache_expected_tokens_total:
    "Tokens the accounted calls could have read from cache (the ideal); efficiency = usage_ledger_cache_accounted_read_tokens_total / this.",
  usage_ledger_cache_accounted_read_tokens_total:
    "Cache reads of the calls with cache accounting (the achieved side of efficiency).",
  usage_ledger_cache_beyond_plateau_tokens_total:
    "Shared prompt tokens past where the provider's cache reads stop (its plateau): a provider limit, in neither the expected tokens nor the lost ones.",
  usage_ledger_cost_usd_total:
    "Cost in USD of the priced calls (a lower bound where usage_ledger_unpriced_calls_total > 0); absent when no call of the series had a price.",
  usage_ledger_unpriced_calls_total:
    "Model calls whose cost is partly or wholly unknown (no price for a token kind they used).",
  usage_ledger_missed_cost_usd_total:
    "What the missed tokens cost beyond a cache read, in USD, where both prices are known.",
} as const;

const TOKEN_TYPES = [
  ["input", "input"],
  ["output", "output"],
  ["cache_read", "cacheRead"],
  ["cache_write", "cacheWrite"],
] as const;

const FAMILIES: ReadonlyArray<[name: keyof typeof HELP, samples: (s: SeriesTotals) => Sample[]]> = [
  ["usage_ledger_calls_total", total((t) => t.calls)],
  [
    "usage_ledger_tokens_total",
    (s) =>
      TOKEN_TYPES.map(([type, field]): Sample => [{ gen_ai_token_type: type }, s.totals[field]]),
  ],
  [
    "usage_ledger_lost_tokens_total",
    (s) =>
      [...s.lost]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([cause, value]): Sample => [{ miss_cause: cause }, value]),
  ],
  ["usage_ledger_cache_expected_tokens_total", total((t) => t.expectedCacheRead)],
  ["usage_ledger_cache_accounted_read_tokens_total", total((t) => t.accountedRead)],
  ["usage_ledger_cache_beyond_plateau_tokens_total", total((t) => t.beyondPlateauTokens)],
  ["usage_ledger_cost_usd_total", total((t) => costFigure(t).usd)],
  ["usage_ledger_unpriced_calls_total", total((t) => t.unpricedCalls)],
  ["usage_ledger_missed_cost_usd_total", total((t) => figures(t).missedCostUsd)],
];

export function formatMetrics(series: readonly SeriesTotals[], lagRows: number): string {
  const lines: string[] = [];
  for (const [name, samples] of FAMILIES) {
    lines.push(`# HELP ${name} ${HELP[name]}`, `# TYPE ${name} counter`);
    for (const s of series) {
      for (const [extra, value] of samples(s)) lines.push(sample(name, s, extra, value));
    }
  }
  const lag = "usage_ledger_metrics_unread_rows";
  lines.push(
    `# HELP ${lag} Ledger rows not yet summed into these counters (a large ledger catches up over a few scrapes).`,
    `# TYPE ${lag} gauge`,
    `${lag} ${lagRows}`,
  );
  return `${lines.join("\n")}\n`;
}

function sample(
  name: string,
  series: SeriesTotals,
  extra: Record<string, string>,
  value: number,
): string {
  const pairs = [
    ...LABELS.map((label) => [label, series.labels[label]] as const),
    ...Object.entries(extra),
  ];
  const labels = pairs.map(([key, raw]) => `${key}="${escapeLabel(raw)}"`).join(",");
  return `${name}{${labels}} ${value}`;
}

/** Label values escape backslash, double quote and newline (the exposition format's rule). */
export const escapeLabel = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
