import { processSlot } from "./process-scope.ts";
import { quoted } from "./quoted.ts";

/**
 * The highest price believed when one is read (config, the gateway's listing, the listing file
 * the provider saves), in USD per million tokens. The priciest real models list a few hundred;
 * this leaves a wide margin, and at this price a 10M-token call costs 1e14 nano-USD, far inside
 * what a ledger row holds exactly (2^53). A price above it is a typo or a hostile listing (a
 * price of 1e308 made SQLite refuse the call's row), so it is refused: that kind of the model's
 * tokens is then unpriced (the call reads partly priced or unknown), never free.
 */
export const MAX_PRICE_USD_PER_MILLION = 10_000;

/** A stated price the reader does not believe, and where the operator would look for it. */
export interface RefusedPrice {
  /** Where the price was read: "the OpenClaw config (models.providers.<id>.models[])", ... */
  source: string;
  /** The model it was stated for (provider/model where known). */
  model: string;
  /** The field as the source names it: "cost.input", "pricing.cache_read", ... */
  field: string;
  value: unknown;
}

/** True for a stated value that is not a price within reason (finite, 0 to the ceiling); absent is none. */
export function isRefusedPrice(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  return !(
    typeof value === "number" &&
    Number.isFinite(value) &&
    value >= 0 &&
    value <= MAX_PRICE_USD_PER_MILLION
  );
}

function refusedPriceLine({ source, model, field, value }: RefusedPrice): string {
  return `price refused: ${field} of model ${quoted(model)} in ${source} is ${quoted(value, 40)}, not a price (USD per million tokens, from 0 to ${MAX_PRICE_USD_PER_MILLION}); that kind of its tokens is priced as unknown, not as free`;
}

/** Distinct refused prices said per process; a listing full of them cannot flood the log. */
const MAX_SAID = 200;
const said = processSlot<Set<string>>("taas-core.refused-prices");

/**
 * Says a refused price once per process for each source, model and field (the host reads its
 * config once per plugin instance, the ledger rereads the listing file when it changes), and
 * after MAX_SAID of them says once that it stops.
 */
export function warnRefusedPrice(warn: (message: string) => void, refused: RefusedPrice): void {
  const seen = said.obtain("keys", () => new Set());
  const key = JSON.stringify([refused.source, refused.model, refused.field]);
  if (seen.has(key) || seen.size > MAX_SAID) return;
  seen.add(key);
  warn(
    seen.size > MAX_SAID
      ? `more than ${MAX_SAID} prices refused; further ones are not logged until the gateway restarts`
      : refusedPriceLine(refused),
  );
}

/**
 * What a price reader hands to `readModelPrices` for one model: each refused field is said
 * through `warn` (once per process), nothing when there is no `warn`.
 */
export function refusedPriceWarner(
  warn: ((message: string) => void) | undefined,
  source: string,
  model: string,
  fieldPrefix = "",
): (field: string, value: unknown) => void {
  return (field, value) => {
    if (warn) warnRefusedPrice(warn, { source, model, field: `${fieldPrefix}${field}`, value });
  };
}
