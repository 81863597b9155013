import type { DatabaseSync } from "node:sqlite";
import { type Row, rowInt, rowText } from "@cloudsigma/taas-core/sql-rows";

/*
 * The ledger's lifetime counters for Prometheus, derived from the rows on disk so they survive
 * a gateway restart. The first scrape of a process sums the ledger once; later scrapes add only
 * the rows written since (by row id), so a scrape reads what arrived in the last interval.
 * Label values are admitted in order of first appearance up to a cap per label; later values
 * share the `other` series, so one runaway agent or model name cannot flood Prometheus.
 */

export const LABELS = ["agent", "provider", "model", "upstream"] as const;
export type Label = (typeof LABELS)[number];
export type LabelCaps = Record<Label, number>;

export const DEFAULT_CAPS: LabelCaps = { agent: 50, provider: 20, model: 100, upstream: 100 };
export const OTHER = "other";
export const UNKNOWN = "unknown";

export interface SeriesTotals {
  labels: Record<Label, string>;
  calls: number;
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** Nano-dollars over the priced rows only. */
  costNano: number;
  pricedRows: number;
  /** Missed cache-readable tokens by miss cause. */
  missed: Map<string, number>;
}

const CHUNK_SQL = `
SELECT coalesce(agent_id, '') AS agent, coalesce(provider, '') AS provider,
  coalesce(model, '') AS model, coalesce(upstream_route, '') AS upstream,
  coalesce(miss_cause, '') AS cause, sum(calls) AS calls, sum(input) AS input,
  sum(output) AS output, sum(cache_read) AS cache_read, sum(cache_write) AS cache_write,
  sum(coalesce(missed_tokens, 0)) AS missed, sum(coalesce(cost_nusd, 0)) AS cost_nusd,
  count(cost_nusd) AS priced_rows, min(id) AS first_id
FROM usage_rows WHERE id > ? AND id <= ?
GROUP BY agent, provider, model, upstream, cause
ORDER BY first_id`;

export interface AggregateOptions {
  caps?: LabelCaps;
  /** Row ids read per query; a catch-up loops over chunks. */
  chunkRows?: number;
  /** Longest one refresh keeps reading before it answers with what it has (the rest next time). */
  budgetMs?: number;
  now?: () => number;
}

export class LedgerCounters {
  readonly #caps: LabelCaps;
  readonly #chunkRows: number;
  readonly #budgetMs: number;
  readonly #now: () => number;
  readonly #admitted: Record<Label, Set<string>> = {
    agent: new Set(),
    provider: new Set(),
    model: new Set(),
    upstream: new Set(),
  };
  readonly #series = new Map<string, SeriesTotals>();
  #lastId = 0;

  constructor(options: AggregateOptions = {}) {
    this.#caps = options.caps ?? DEFAULT_CAPS;
    this.#chunkRows = options.chunkRows ?? 100_000;
    this.#budgetMs = options.budgetMs ?? 250;
    this.#now = options.now ?? Date.now;
  }

  /** Adds the rows written since the last refresh; returns how many row ids are still unread. */
  refresh(db: DatabaseSync): number {
    const maxId = rowInt(db.prepare("SELECT max(id) AS id FROM usage_rows").get() ?? {}, "id");
    if (maxId < this.#lastId) {
      // The file was replaced by a smaller one: start over rather than skip its rows.
      this.#lastId = 0;
      this.#series.clear();
      for (const label of LABELS) this.#admitted[label].clear();
    }
    const chunk = db.prepare(CHUNK_SQL);
    const started = this.#now();
    while (this.#lastId < maxId) {
      const upTo = Math.min(maxId, this.#lastId + this.#chunkRows);
      for (const row of chunk.all(this.#lastId, upTo)) this.#add(row);
      this.#lastId = upTo;
      if (this.#now() - started >= this.#budgetMs) break;
    }
    return maxId - this.#lastId;
  }

  series(): SeriesTotals[] {
    return [...this.#series.values()];
  }

  #add(row: Row): void {
    const labels = {
      agent: this.#admit("agent", rowText(row, "agent") ?? ""),
      provider: this.#admit("provider", rowText(row, "provider") ?? ""),
      model: this.#admit("model", rowText(row, "model") ?? ""),
      upstream: this.#admit("upstream", rowText(row, "upstream") ?? ""),
    };
    const key = LABELS.map((label) => labels[label]).join("\u0000");
    let totals = this.#series.get(key);
    if (!totals) {
      totals = {
        labels,
        calls: 0,
        input: 0,
        output: 0,
        cacheRead: 0,
        cacheWrite: 0,
        costNano: 0,
        pricedRows: 0,
        missed: new Map(),
      };
      this.#series.set(key, totals);
    }
    totals.calls += rowInt(row, "calls");
    totals.input += rowInt(row, "input");
    totals.output += rowInt(row, "output");
    totals.cacheRead += rowInt(row, "cache_read");
    totals.cacheWrite += rowInt(row, "cache_write");
    totals.costNano += rowInt(row, "cost_nusd");
    totals.pricedRows += rowInt(row, "priced_rows");
    const cause = rowText(row, "cause");
    if (cause) totals.missed.set(cause, (totals.missed.get(cause) ?? 0) + rowInt(row, "missed"));
  }

  #admit(label: Label, raw: string): string {
    const value = raw === "" ? UNKNOWN : raw;
    const admitted = this.#admitted[label];
    if (admitted.has(value)) return value;
    if (admitted.size >= this.#caps[label]) return OTHER;
    admitted.add(value);
    return value;
  }
}
