import { errorText } from "../error-text.ts";
import { isRefusedPrice, refusedPriceWarner } from "../price-ceiling.ts";
import { isRecord } from "../records.ts";

/**
 * What a model's tokens cost, as someone who knows stated it: the operator in the host config
 * (`models.providers.<id>.models[].cost`) or the gateway in its model listing. USD per million
 * tokens, per token kind. A kind nobody priced is absent: unknown, never 0, so a call that used
 * it can be reported as partly priced instead of partly free.
 */
export interface ModelPrices {
  /** Uncached input tokens. */
  input?: number;
  output?: number;
  /** Input tokens read from the provider's prompt cache. */
  cacheRead?: number;
  cacheWrite?: number;
}

export const PRICE_KINDS = ["input", "output", "cacheRead", "cacheWrite"] as const;
type PriceKind = (typeof PRICE_KINDS)[number];

/** The prices of one provider's model, or undefined when nothing about them is known. */
export type PriceLookup = (provider: string, model: string) => ModelPrices | undefined;

export const noPrices: PriceLookup = () => undefined;

/** A stated price: a finite number >= 0; anything else (a string, a negative, NaN) is none. */
export function priceValue(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * Reads one cost object. A price of 0 reads as not stated: OpenClaw fills every kind a config
 * row leaves out with 0 before plugins see the config (and writes all zeros for a model nobody
 * priced; onboarding copies such rows), so a 0 there cannot be told from "no price". Reading it
 * as free would price cache reads nobody priced at nothing; reading it as unknown only costs a
 * `partial` mark on a genuinely free kind. A price past the ceiling (`price-ceiling.ts`), a
 * negative or a non-number is not stated either, and is handed to `onRefused`.
 */
export function readModelPrices(
  cost: unknown,
  onRefused?: (kind: PriceKind, value: unknown) => void,
): ModelPrices | undefined {
  if (!isRecord(cost)) return undefined;
  const prices: ModelPrices = {};
  for (const kind of PRICE_KINDS) {
    const stated = cost[kind];
    if (isRefusedPrice(stated)) onRefused?.(kind, stated);
    else if (typeof stated === "number" && stated > 0) prices[kind] = stated;
  }
  return PRICE_KINDS.some((kind) => prices[kind] !== undefined) ? prices : undefined;
}

const CONFIG = "the OpenClaw config (models.providers.<id>.models[])";

const modelKey = (provider: string, model: string) => `${provider.toLowerCase()}/${model}`;

/**
 * The operator's prices from the host config (`models.providers.<id>.models[].cost`), as the
 * config is now. The host applies a change to `models.*` without a restart (`openclaw config
 * set` says so) and replaces its runtime snapshot (`api.runtime.config.current()`), so `current`
 * is read on every lookup and a price set while the gateway runs prices the next call; the
 * table is rebuilt only when `current` answers another config object. Should `current` throw,
 * `loaded` (the config the plugin was registered with) is read instead and that is said once. A
 * price refused in the config is said through `warn`, once per model and kind in the process.
 */
export function pricesFromHostConfig(
  current: () => unknown,
  warn?: (message: string) => void,
  loaded?: unknown,
): PriceLookup {
  let read: unknown;
  let table = new Map<string, ModelPrices>();
  let saidFallback = false;
  const config = (): unknown => {
    try {
      return current();
    } catch (error) {
      if (!saidFallback) {
        saidFallback = true;
        warn?.(
          `cannot read the host's current config (${errorText(error)}); prices come from the config as loaded, so a price changed since applies after a restart`,
        );
      }
      return loaded;
    }
  };
  return (provider, model) => {
    const now = config();
    if (now !== read) {
      read = now;
      table = hostConfigTable(now, warn);
    }
    return table.get(modelKey(provider, model));
  };
}

function hostConfigTable(
  config: unknown,
  warn: ((message: string) => void) | undefined,
): Map<string, ModelPrices> {
  const table = new Map<string, ModelPrices>();
  const providers =
    isRecord(config) && isRecord(config.models) ? config.models.providers : undefined;
  if (!isRecord(providers)) return table;
  for (const [providerId, provider] of Object.entries(providers)) {
    if (!isRecord(provider) || !Array.isArray(provider.models)) continue;
    for (const model of provider.models) {
      if (!isRecord(model) || typeof model.id !== "string") continue;
      const named = `${providerId}/${model.id}`;
      const prices = readModelPrices(model.cost, refusedPriceWarner(warn, CONFIG, named, "cost."));
      if (prices) table.set(modelKey(providerId, model.id), prices);
    }
  }
  return table;
}

/**
 * Several sources, most trusted first: for each token kind the first source that states a
 * price wins (the operator's config over the gateway's listing, as the host merges them).
 */
export function layeredPrices(...sources: readonly PriceLookup[]): PriceLookup {
  return (provider, model) => {
    const merged: ModelPrices = {};
    for (const source of sources) {
      const prices = source(provider, model);
      if (!prices) continue;
      for (const kind of PRICE_KINDS) {
        if (merged[kind] === undefined && prices[kind] !== undefined) merged[kind] = prices[kind];
      }
    }
    return PRICE_KINDS.some((kind) => merged[kind] !== undefined) ? merged : undefined;
  };
}
