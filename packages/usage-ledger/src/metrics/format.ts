import { LABELS, type SeriesTotals } from "./aggregate.ts";

/*
 * The Prometheus text exposition of the ledger's counters. Names follow Prometheus conventions
 * (a `_total` suffix on counters, base units: tokens, USD); the token type label carries the
 * OpenTelemetry GenAI `gen_ai.token.type` values (`input`, `output`) plus the two cache kinds,
 * named as the ledger and OpenClaw's diagnostics name them (`cache_read`, `cache_write`).
 * `input` is the uncached part of the prompt, as in the ledger: prompt = input + cache_read +
 * cache_write.
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const TOKEN_TYPES = [
  ["input", (s: SeriesTotals) => s.input],
  ["output", (s: SeriesTotals) => s.output],
  ["cache_read", (s: SeriesTotals) => s.cacheRead],
  ["cache_write", (s: SeriesTotals) => s.cacheWrite],
] as const;

export function formatMetrics(series: readonly SeriesTotals[], lagRows: number): string {
  const lines: string[] = [];
  const family = (name: string, help: string, type = "counter") =>
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

  family("usage_ledger_calls_total", "Model calls recorded in the usage ledger.");
  for (const s of series) lines.push(sample("usage_ledger_calls_total", s, {}, s.calls));

  family(
    "usage_ledger_tokens_total",
    "Tokens recorded in the usage ledger by gen_ai_token_type (input is the uncached prompt part).",
  );
  for (const s of series) {
    for (const [type, value] of TOKEN_TYPES) {
      lines.push(sample("usage_ledger_tokens_total", s, { gen_ai_token_type: type }, value(s)));
    }
  }

  family(
    "usage_ledger_missed_tokens_total",
    "Prompt tokens a call could have read from the provider cache but did not, by miss_cause.",
  );
  for (const s of series) {
    for (const [cause, value] of [...s.missed].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(sample("usage_ledger_missed_tokens_total", s, { miss_cause: cause }, value));
    }
  }

  family("usage_ledger_cost_usd_total", "Cost in USD of the calls that had a price.");
  for (const s of series) {
    if (s.pricedRows > 0)
      lines.push(sample("usage_ledger_cost_usd_total", s, {}, s.costNano / 1e9));
  }

  family(
    "usage_ledger_metrics_unread_rows",
    "Ledger rows not yet summed into these counters (a large ledger catches up over a few scrapes).",
    "gauge",
  );
  lines.push(`usage_ledger_metrics_unread_rows ${lagRows}`);
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
