import {
  layeredPrices,
  type ModelPrices,
  PRICE_KINDS,
  type PriceLookup,
} from "@cloudsigma/taas-core/usage/model-prices";
import { routedPricing } from "@cloudsigma/taas-core/usage/routed-pricing";
import type { CostSource, CostState } from "@cloudsigma/taas-core/usage/usage-cost";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import { missedCostNano } from "../enrich/row.ts";
import type { RepriceSource } from "../store/columns.ts";

/**
 * What `usage-ledger reprice` does to one row recorded without a complete price: the row is
 * priced again by the very code that priced it when it was written (core's `routedPricing`,
 * the enrich step's missed cost), with the prices known now, the operator's config over the
 * gateway's listing. A row only ever gains: its cost state must rise (unknown to partial or
 * known, partial to known), or a missed cost the row lacked for want of prices gets one.
 * Anything else (a known row, a price that still covers less) leaves it as it was, so running
 * it again changes nothing.
 */

/** The columns of a stored row that its pricing reads and writes. */
export interface StoredRow {
  id: number;
  ts: number;
  granularity: "call" | "run";
  calls: number;
  provider: string | null;
  model: string | null;
  routed_model: string | null;
  upstream_route: string | null;
  input: number;
  output: number;
  cache_read: number;
  cache_write: number;
  total: number;
  usage_known: number;
  cost_nusd: number | null;
  cost_state: CostState;
  cost_source: CostSource | null;
  saving_nusd: number | null;
  missed_tokens: number | null;
  missed_cost_nusd: number | null;
}

/** The prices reprice reads, in the order they win per token kind (as a new row is priced). */
export interface RepricePrices {
  config: PriceLookup;
  listing: PriceLookup;
}

/** The new values of a row that gains a price. */
export interface Repricing {
  costNano: number | null;
  costState: CostState;
  costSource: CostSource | null;
  savingNano: number | null;
  missedCostNano: number | null;
  source: RepriceSource;
}

export interface RowPlan {
  /** Undefined when the row stays as it is. */
  repricing: Repricing | undefined;
  /** Why the row is still not fully priced afterwards (undefined once it is known). */
  unpricedBecause: string | undefined;
}

const RANK: Record<CostState, number> = { unknown: 0, partial: 1, known: 2 };
const TOKENS = {
  input: "input",
  output: "output",
  cacheRead: "cache_read",
  cacheWrite: "cache_write",
} as const;

/** The model a row is priced by: the model TaaS routed an autorouted call to, else its own. */
export const pricedModelOf = (row: Pick<StoredRow, "model" | "routed_model">) =>
  row.routed_model ?? row.model;

export function planReprice(row: StoredRow, prices: RepricePrices): RowPlan {
  const merged = layeredPrices(prices.config, prices.listing);
  const record = recordOf(row);
  // A stored routed model is what the capture said when the row was written: priced by it.
  const route = row.routed_model ? { autorouted: true, routedModel: row.routed_model } : undefined;
  const priced = routedPricing(record, route, merged);
  const costGains = RANK[priced.costState] > RANK[row.cost_state];
  const missed =
    row.missed_cost_nusd === null ? missedCostNano(record, row.missed_tokens, merged) : null;
  const state = costGains ? priced.costState : row.cost_state;
  const unpricedBecause = state === "known" ? undefined : whyUnpriced(row, merged);
  if (!costGains && missed === null) return { repricing: undefined, unpricedBecause };
  const kinds = [
    ...(costGains ? PRICE_KINDS.filter((kind) => row[TOKENS[kind]] > 0) : []),
    ...(missed === null ? [] : (["input", "cacheRead"] as const)),
  ];
  return {
    repricing: {
      costNano: costGains ? priced.costNano : row.cost_nusd,
      costState: state,
      costSource: costGains ? priced.costSource : row.cost_source,
      savingNano: row.saving_nusd ?? (costGains ? priced.savingNano : null),
      missedCostNano: missed ?? row.missed_cost_nusd,
      source: sourceOf(kinds, prices, row),
    },
    unpricedBecause,
  };
}

/** Whose prices a repricing used, over the token kinds it priced. */
function sourceOf(
  kinds: ReadonlyArray<keyof ModelPrices>,
  prices: RepricePrices,
  row: StoredRow,
): RepriceSource {
  const model = pricedModelOf(row);
  const config = row.provider && model ? prices.config(row.provider, model) : undefined;
  const listing = row.provider && model ? prices.listing(row.provider, model) : undefined;
  const fromConfig = kinds.some((kind) => config?.[kind] !== undefined);
  const fromListing = kinds.some(
    (kind) => config?.[kind] === undefined && listing?.[kind] !== undefined,
  );
  if (fromConfig && fromListing) return "config+listing";
  return fromConfig ? "config" : "listing";
}

/** In an operator's words: what is missing for the row to be fully priced. */
function whyUnpriced(row: StoredRow, prices: PriceLookup): string {
  if (row.usage_known === 0) return "its token counts are unknown";
  const model = pricedModelOf(row);
  if (!row.provider || !model) return "no model to price it by";
  const stated = prices(row.provider, model);
  const missing = PRICE_KINDS.filter(
    (kind) => row[TOKENS[kind]] > 0 && stated?.[kind] === undefined,
  );
  if (missing.length === 0) return "its price would cost more than a ledger row holds";
  return `no ${missing.join(", ")} price for ${row.provider}/${model}`;
}

function recordOf(row: StoredRow): UsageRecord {
  return {
    eventId: String(row.id),
    ts: row.ts,
    granularity: row.granularity,
    calls: row.calls,
    agentId: null,
    sessionKey: null,
    sessionId: null,
    runId: null,
    callId: null,
    trigger: null,
    provider: row.provider,
    model: row.model,
    routedModel: row.routed_model,
    upstreamRoute: row.upstream_route,
    usage: {
      input: row.input,
      output: row.output,
      cacheRead: row.cache_read,
      cacheWrite: row.cache_write,
      total: row.total,
      known: row.usage_known === 1,
      shape: "openclaw",
    },
    costNano: row.cost_nusd,
    costState: row.cost_state,
    costSource: null,
    // The host's own figure is not kept: rows it priced are not unknown, and its 0 for a
    // model nobody priced is no price.
    hostCost: {},
    savingNano: row.saving_nusd,
    latencyMs: null,
    ttfbMs: null,
    outcome: null,
    errorCategory: null,
  };
}
