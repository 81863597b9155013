import type { ModelPrices, PriceLookup } from "./model-prices.ts";
import { processSlot } from "./process-scope.ts";

/**
 * The gateway-prices seam. A provider plugin whose gateway lists prices (the TaaS provider
 * reads them from `<baseUrl>/models` during discovery) publishes them here; the usage ledger
 * prices calls with them when the operator's config has no price for a model. Prices the
 * listing did not state stay absent (unknown), so the ledger can tell "not priced" from "free".
 *
 * Process-wide, like the discovery itself: the host runs the provider's catalog in the process
 * that serves the models (the gateway, or a `--local` agent run), and a listing's prices are
 * what that process's calls are billed at. A new publication replaces the provider's table; a
 * failed discovery publishes nothing, so the last listing stands.
 */
type PriceTable = ReadonlyMap<string, ModelPrices>;

const published = processSlot<Map<string, PriceTable>>("core.gateway-prices.tables");
const tables = () => published.obtain("all", () => new Map());

/** Replaces the listed prices of `providers` (a provider id and its aliases) by model id. */
export function publishGatewayPrices(providers: readonly string[], prices: PriceTable): void {
  const copy: PriceTable = new Map([...prices].map(([model, rates]) => [model, { ...rates }]));
  for (const provider of providers) tables().set(provider.toLowerCase(), copy);
}

/** The prices the provider's gateway listed for a model, if it listed any. */
export const gatewayPrices: PriceLookup = (provider, model) => {
  const listed = tables().get(provider.toLowerCase())?.get(model);
  return listed ? { ...listed } : undefined;
};
