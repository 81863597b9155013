import { isRecord } from "../records.ts";
import { type ModelPrices, PRICE_KINDS, priceValue } from "./model-prices.ts";
import { hasTokens, type NormalizedUsage } from "./usage-normalize.ts";

/**
 * The one pricing rule for a model call, in integer nano-dollars (1e-9 USD) so sums over
 * millions of rows stay exact. Prices are the priced model's stated ones (the operator's config
 * over the gateway's listing, see `model-prices.ts`); the host's own cost is used only when
 * there are none and the host priced that same model. Nothing unknown is counted as 0:
 *
 * - known: every token kind the call used has a price;
 * - partial: some kinds used have a price, some do not (e.g. cache reads without a cache-read
 *   price); the cost is what the priced kinds cost, a lower bound. For the host's figure, a
 *   kind the call used that the host's breakdown puts at 0 is one without a price;
 * - unknown: no price for what was used. The host reports 0 for a model nobody priced, so a
 *   host cost of 0 for a call with tokens is unknown, not free.
 */

export type CostSource = "host" | "catalog";
export type CostState = "known" | "partial" | "unknown";

export interface CallCost {
  /** Null when unknown; for a partial cost, what the priced token kinds cost. */
  costNano: number | null;
  costState: CostState;
  costSource: CostSource | null;
  /**
   * What the cache reads would have cost as uncached input, minus what they cost: only where
   * both prices are known (0 without cache reads; null otherwise).
   */
  savingNano: number | null;
}

/** The host's `usage.cost` (USD): its total and, when it gave one, its breakdown by kind. */
export interface HostCost {
  total?: number;
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
}

interface PricingInput {
  usage: NormalizedUsage;
  /** The priced model's prices, if any are known. */
  prices: ModelPrices | undefined;
  /** The host's cost for the call, used only when `hostPricedSameModel`. */
  host?: HostCost;
  /** False when the call is priced by another model than the host priced (an autorouted call). */
  hostPricedSameModel: boolean;
}

/** USD -> nano-dollars, rounded to the nearest nano. */
export const usdToNano = (value: number): number => Math.round(value * 1e9);
/** Nano-dollars -> USD (exact for the 9 decimals stored). */
export const nanoToUsd = (nano: number): number => Number((nano / 1e9).toFixed(9));

/** The host's `usage.cost` ({ total, input, cacheRead, ... } in USD), when it reported one. */
export function readHostCost(rawUsage: unknown): HostCost {
  const cost = isRecord(rawUsage) ? rawUsage.cost : undefined;
  if (typeof cost === "number") return { total: priceValue(cost) };
  if (!isRecord(cost)) return {};
  const host: HostCost = {};
  for (const part of ["total", ...PRICE_KINDS] as const) {
    const value = priceValue(cost[part]);
    if (value !== undefined) host[part] = value;
  }
  return host;
}

const UNKNOWN: CallCost = {
  costNano: null,
  costState: "unknown",
  costSource: null,
  savingNano: null,
};

/**
 * A nano-dollar figure a ledger row can hold exactly (a safe integer), else null. Prices are
 * bounded when read (`price-ceiling.ts`), but a host's own cost or a token count can still be
 * absurd; such a figure is unknown, never a row SQLite refuses or a sum it overflows.
 */
export const storableNano = (nano: number): number | null =>
  Number.isSafeInteger(nano) ? nano : null;

/** Cost, its state and the cache saving of one call (or of a run's un-itemised remainder). */
export function priceCall(input: PricingInput): CallCost {
  const cost = computeCost(input);
  const savingNano = cost.savingNano === null ? null : storableNano(cost.savingNano);
  if (cost.costNano !== null && storableNano(cost.costNano) === null) {
    return { ...UNKNOWN, savingNano };
  }
  return { ...cost, savingNano };
}

function computeCost(input: PricingInput): CallCost {
  const { usage, prices } = input;
  if (!usage.known) return UNKNOWN;
  if (!hasTokens(usage))
    return { costNano: 0, costState: "known", costSource: null, savingNano: 0 };
  const host = input.hostPricedSameModel ? (input.host ?? {}) : {};
  const savingNano = cacheSavingNano(usage, prices, host);
  // USD per million tokens = 1000 nano-dollars per token.
  let priced = 0;
  let pricedKinds = 0;
  let unpricedKinds = 0;
  for (const kind of PRICE_KINDS) {
    const tokens = usage[kind];
    if (tokens === 0) continue;
    const rate = prices?.[kind];
    if (rate === undefined) unpricedKinds += 1;
    else {
      priced += 1000 * tokens * rate;
      pricedKinds += 1;
    }
  }
  if (pricedKinds > 0) {
    return {
      costNano: Math.round(priced),
      costState: unpricedKinds === 0 ? "known" : "partial",
      costSource: "catalog",
      savingNano,
    };
  }
  if (host.total !== undefined && host.total > 0) {
    // The host writes 0 for a kind nobody priced: a used kind at 0 in its breakdown is unpriced.
    const unpriced = PRICE_KINDS.some((kind) => usage[kind] > 0 && host[kind] === 0);
    return {
      costNano: usdToNano(host.total),
      costState: unpriced ? "partial" : "known",
      costSource: "host",
      savingNano,
    };
  }
  return { ...UNKNOWN, savingNano };
}

function cacheSavingNano(
  usage: NormalizedUsage,
  prices: ModelPrices | undefined,
  host: HostCost,
): number | null {
  if (usage.cacheRead === 0) return 0;
  if (prices?.input !== undefined && prices.cacheRead !== undefined) {
    return Math.max(0, Math.round(1000 * usage.cacheRead * (prices.input - prices.cacheRead)));
  }
  // No stated prices: per-token prices from the host's own cost breakdown, when it priced both
  // parts (a 0 there is the host's mark for an unpriced kind, not a free one).
  if (!host.input || !host.cacheRead || usage.input === 0) return null;
  const perInputToken = host.input / usage.input;
  const perCachedToken = host.cacheRead / usage.cacheRead;
  return Math.max(0, usdToNano(usage.cacheRead * (perInputToken - perCachedToken)));
}
