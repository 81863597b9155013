import { isRecord } from "./records.ts";
import type { NormalizedUsage } from "./usage-normalize.ts";

/**
 * Cost of a model call in integer nano-dollars (1e-9 USD), so sums over millions of rows stay
 * exact. The host's own cost wins when it reports one; otherwise the model catalog's prices
 * (the host config's `models.providers.<id>.models[].cost`, USD per million tokens) are used.
 */

export interface ModelPrices {
  /** USD per million uncached input tokens. */
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export type PriceLookup = (provider: string, model: string) => ModelPrices | undefined;

export const noPrices: PriceLookup = () => undefined;

export type CostSource = "host" | "catalog";

export interface CallCost {
  costNano: number | null;
  costSource: CostSource | null;
  /** What the cache-read tokens would have cost as uncached input, minus what they cost. */
  savingNano: number | null;
}

const price = (value: unknown): number =>
  typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
const usd = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;

/** USD -> nano-dollars, rounded to the nearest nano. */
export const usdToNano = (value: number): number => Math.round(value * 1e9);
/** Nano-dollars -> USD (exact for the 9 decimals stored). */
export const nanoToUsd = (nano: number): number => Number((nano / 1e9).toFixed(9));

/** Reads per-model prices from the host config (`models.providers.*.models[].cost`). */
export function pricesFromHostConfig(config: unknown): PriceLookup {
  const table = new Map<string, ModelPrices>();
  const providers =
    isRecord(config) && isRecord(config.models) ? config.models.providers : undefined;
  if (isRecord(providers)) {
    for (const [providerId, provider] of Object.entries(providers)) {
      if (!isRecord(provider) || !Array.isArray(provider.models)) continue;
      for (const model of provider.models) {
        if (!isRecord(model) || typeof model.id !== "string" || !isRecord(model.cost)) continue;
        table.set(`${providerId.toLowerCase()}/${model.id}`, {
          input: price(model.cost.input),
          output: price(model.cost.output),
          cacheRead: price(model.cost.cacheRead),
          cacheWrite: price(model.cost.cacheWrite),
        });
      }
    }
  }
  return (provider, model) => table.get(`${provider.toLowerCase()}/${model}`);
}

/** Cost of `usage` at `prices`, in nano-dollars. */
export function priceUsageNano(usage: NormalizedUsage, prices: ModelPrices): number {
  // USD per million tokens = 1000 nano-dollars per token.
  return Math.round(
    1000 *
      (usage.input * prices.input +
        usage.output * prices.output +
        usage.cacheRead * prices.cacheRead +
        usage.cacheWrite * prices.cacheWrite),
  );
}

/** The host's `usage.cost` ({ total, input, cacheRead, ... } in USD), when it reported one. */
export function readHostCost(rawUsage: unknown): {
  total?: number;
  input?: number;
  cacheRead?: number;
} {
  const cost = isRecord(rawUsage) ? rawUsage.cost : undefined;
  if (typeof cost === "number") return { total: usd(cost) };
  if (!isRecord(cost)) return {};
  return { total: usd(cost.total), input: usd(cost.input), cacheRead: usd(cost.cacheRead) };
}

/**
 * Cost and cache saving for one row. `rawUsage` is the host's usage object (for its `cost`);
 * `prices` the catalog's prices for the row's model, if any.
 */
export function costForUsage(
  usage: NormalizedUsage,
  rawUsage: unknown,
  prices: ModelPrices | undefined,
): CallCost {
  const host = readHostCost(rawUsage);
  let costNano: number | null = null;
  let costSource: CostSource | null = null;
  if (host.total !== undefined && host.total > 0) {
    costNano = usdToNano(host.total);
    costSource = "host";
  } else if (prices) {
    costNano = priceUsageNano(usage, prices);
    costSource = "catalog";
  } else if (host.total !== undefined) {
    costNano = 0;
    costSource = "host";
  }
  return { costNano, costSource, savingNano: cacheSavingNano(usage, host, prices) };
}

function cacheSavingNano(
  usage: NormalizedUsage,
  host: { input?: number; cacheRead?: number },
  prices: ModelPrices | undefined,
): number | null {
  if (usage.cacheRead === 0) return prices || host.input !== undefined ? 0 : null;
  if (prices)
    return Math.max(0, Math.round(1000 * usage.cacheRead * (prices.input - prices.cacheRead)));
  // No catalog row: derive per-token prices from the host's own cost breakdown.
  if (host.input === undefined || host.cacheRead === undefined || usage.input === 0) return null;
  const perInputToken = host.input / usage.input;
  const perCachedToken = host.cacheRead / usage.cacheRead;
  return Math.max(0, usdToNano(usage.cacheRead * (perInputToken - perCachedToken)));
}
