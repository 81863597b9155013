import type { PriceLookup } from "@cloudsigma/taas-core/model-prices";
import type { RouteCapture } from "@cloudsigma/taas-core/route-store";
import { priceCall } from "@cloudsigma/taas-core/usage-cost";
import type { UsageRecord } from "@cloudsigma/taas-core/usage-record";

/**
 * What only write time knows about a call: where TaaS routed it and, for an autorouted call
 * (`cloudsigma/auto`), which model it was routed to, the model it is billed at. Both come from
 * the token-cache optimizer's capture of the response headers (`X-TaaS-Upstream`,
 * `X-TaaS-Autorouter-Model`), which lands a moment after the response; so the ledger's writer
 * asks when a batch goes to disk, and prices an autorouted call again, by the routed model.
 */
export interface CallRoute {
  upstream?: string | undefined;
  autorouted: boolean;
  /** The model TaaS routed an autorouted call to, when it said. */
  routedModel?: string | undefined;
}

/** The route of one call, by call id (the route-store seam, read side). */
export type RouteLookup = (callId: string) => CallRoute | undefined;

export function routeOfCapture(capture: RouteCapture | undefined): CallRoute | undefined {
  if (!capture) return undefined;
  return {
    upstream: capture.upstream,
    autorouted: capture.autorouted === true,
    routedModel: capture.autorouterModel,
  };
}

/** The routed model id as the provider's catalog names it (`cloudsigma/gpt-5.5` -> `gpt-5.5`). */
function modelId(routed: string, provider: string | null): string {
  const prefix = provider ? `${provider}/` : "";
  return prefix && routed.toLowerCase().startsWith(prefix.toLowerCase())
    ? routed.slice(prefix.length)
    : routed;
}

/**
 * Fills a call row's upstream and routed model from its route, and prices an autorouted call
 * by the model it was routed to (unknown when TaaS did not say which: the host's figure is for
 * the requested model, not the billed one). A missing or unreadable route store only means
 * the row has no route. Rows without a call id (run rows) have no route to find.
 */
export function completeRoute(record: UsageRecord, lookup: RouteLookup, prices: PriceLookup): void {
  if (record.callId === null || record.upstreamRoute !== null || record.routedModel !== null) {
    return;
  }
  let route: CallRoute | undefined;
  try {
    route = lookup(record.callId);
  } catch {
    return;
  }
  if (!route) return;
  record.upstreamRoute = route.upstream ?? null;
  if (!route.autorouted) return;
  const routed = route.routedModel ? modelId(route.routedModel, record.provider) : null;
  record.routedModel = routed;
  if (routed !== null && routed === record.model) return; // already priced by this model
  const cost = priceCall({
    usage: record.usage,
    prices: routed && record.provider ? prices(record.provider, routed) : undefined,
    hostPricedSameModel: false,
  });
  record.costNano = cost.costNano;
  record.costState = cost.costState;
  record.costSource = cost.costSource;
  record.savingNano = cost.savingNano;
}
