import { isRefusedPrice, type RefusedPrice } from "@cloudsigma/taas-core/price-ceiling";
import { isRecord } from "@cloudsigma/taas-core/records";
import {
  type ModelPrices,
  priceValue,
  readModelPrices,
} from "@cloudsigma/taas-core/usage/model-prices";
import type { ModelDefinition } from "./model-types.ts";

/**
 * The prices TaaS states in its `/models` listing, the only prices this plugin publishes: the
 * static catalog carries none. A row's `pricing` holds USD per million tokens: `input` and
 * `output` (the two CloudSigma's own provider reads, per million as it hands them to the host)
 * and, should it send them, `cache_read` and `cache_write` (names assumed: no source lists a
 * cache price). A kind it does not state stays unknown.
 *
 * The host needs a number in every `cost` field of a catalog row, and 0 is its own mark for a
 * price nobody stated, so unknown kinds are written as 0 there; the precise prices (unknown
 * left out) go to the usage ledger through the gateway-prices seam. The operator's
 * `models.providers.cloudsigma.models[].cost` wins over both (the host merges it over the
 * catalog; the ledger reads it first).
 */

export const INVALID_PRICING = Symbol("invalid pricing");

const FIELDS = {
  input: "input",
  output: "output",
  cacheRead: "cache_read",
  cacheWrite: "cache_write",
} as const;

/** Where a refused listed price was read, as warnings and onboarding notes name it. */
export const LISTING_SOURCE = "the gateway's /models listing";

/**
 * A row's `pricing`: its prices, undefined when it states none, INVALID when it is garbled (a
 * string, a negative). A price past the ceiling (`price-ceiling.ts`) is a number, not garble:
 * that kind is left unknown and handed to `onRefused`, and the row stays usable.
 */
export function readListedPricing(
  value: unknown,
  onRefused?: (field: string, value: unknown) => void,
): ModelPrices | undefined | typeof INVALID_PRICING {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return INVALID_PRICING;
  const stated: Record<string, number> = {};
  for (const [kind, field] of Object.entries(FIELDS)) {
    const raw = value[field];
    if (raw === undefined || raw === null) continue;
    const price = priceValue(raw);
    if (price === undefined) return INVALID_PRICING;
    if (isRefusedPrice(price)) onRefused?.(`pricing.${field}`, raw);
    else stated[kind] = price;
  }
  return readModelPrices(stated);
}

/** The listed prices of every row that states readable ones, by model id. */
export function listedPrices(
  rows: readonly unknown[],
  onRefused?: (refused: RefusedPrice) => void,
): Map<string, ModelPrices> {
  const prices = new Map<string, ModelPrices>();
  for (const row of rows) {
    if (!isRecord(row) || typeof row.id !== "string" || prices.has(row.id)) continue;
    const model = row.id;
    const listed = readListedPricing(row.pricing, (field, value) =>
      onRefused?.({ source: LISTING_SOURCE, model, field, value }),
    );
    if (listed && listed !== INVALID_PRICING) prices.set(row.id, listed);
  }
  return prices;
}

/** A catalog row's `cost`: the stated prices, 0 (the host's "not stated") for the rest. */
export function catalogCost(prices: ModelPrices | undefined): ModelDefinition["cost"] {
  return {
    input: prices?.input ?? 0,
    output: prices?.output ?? 0,
    cacheRead: prices?.cacheRead ?? 0,
    cacheWrite: prices?.cacheWrite ?? 0,
  };
}

/** Copies of `models` whose listed ids get the listing's prices; limits and the rest untouched. */
export function withListedPrices(
  models: readonly ModelDefinition[],
  prices: ReadonlyMap<string, ModelPrices>,
): ModelDefinition[] {
  return models.map((model) => {
    const listed = prices.get(model.id);
    return listed ? { ...model, cost: catalogCost(listed) } : model;
  });
}
