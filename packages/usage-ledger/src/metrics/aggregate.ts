import type { DatabaseSync } from "node:sqlite";
import { type Row, rowInt, rowText } from "@cloudsigma/taas-core/sql-rows";
import { lostTokens } from "../report/figures.ts";
import { addTotals, emptyTotals, type ReportTotals, rawSumsSql } from "../report/totals.ts";

/*
 * The ledger's lifetime counters for Prometheus, derived from the rows on disk so they survive
 * a gateway restart. The first scrape of a process sums the ledger once; later scrapes add only
 * the rows written since (by row id), so a scrape reads what arrived in the last interval.
 * Label values are admitted in order of first appearance up to a cap per label; later values
 * share the `other` series, so one runaway agent or model name cannot flood Prometheus.
 */

/**
 * `model` is the model that served and priced the call (the routed one for autorouted calls),
 * as `report --by model` groups; `requested_model` is the one the call asked for.
 */
export const LABELS = ["agent", "provider", "model", "requested_model", "upstream"] as const;
export type Label = (typeof LABELS)[number];
export type LabelCaps = Record<Label, number>;

export const DEFAULT_CAPS: LabelCaps = {
  agent: 50,
  provider: 20,
  model: 100,
  requested_model: 100,
  upstream: 100,
};
export const OTHER = "other";
export const UNKNOWN = "unknown";

export interface SeriesTotals {
  labels: Record<Label, string>;
  /** The report totals of the series (report/totals.ts), summed the way every report sums them. */
  totals: ReportTotals;
  /** Lost tokens (report/figures.ts) by miss cause. */
  lost: Map<string, number>;
}

const CHUNK_SQL = `
SELECT coalesce(agent_id, '') AS agent, coalesce(provider, '') AS provider,
  coalesce(routed_model, model, '') AS model, coalesce(model, '') AS requested_model,
  coalesce(upstream_route, '') AS upstream, coalesce(miss_cause, '') AS cause,
  ${rawSumsSql()}, min(id) AS first_id
FROM usage_rows WHERE id > ? AND id <= ?
GROUP BY agent, provider, model, requested_model, upstream, cause
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
    requested_model: new Set(),
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
    const labels = Object.fromEntries(
      LABELS.map((label) => [label, this.#admit(label, rowText(row, label) ?? "")]),
    ) as Record<Label, string>;
    const key = LABELS.map((label) => labels[label]).join("\u0000");
    let series = this.#series.get(key);
    if (!series) {
      series = { labels, totals: emptyTotals(), lost: new Map() };
      this.#series.set(key, series);
    }
    const part = emptyTotals();
    addTotals(part, row);
    addTotals(series.totals, part);
    const cause = rowText(row, "cause");
    const lost = lostTokens(part);
    if (cause && lost > 0) series.lost.set(cause, (series.lost.get(cause) ?? 0) + lost);
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
