import type { RouteCapture } from "@cloudsigma/taas-core/contracts/route-store";
import type { PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { priceCall } from "@cloudsigma/taas-core/usage/usage-cost";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";

/**
 * Every ledger row is priced when it is written, in one place: only then is all of it known.
 * The token-cache optimizer's capture of the response headers (`X-TaaS-Upstream`,
 * `X-TaaS-Autorouter-Model`) lands a moment after the response, and says where TaaS routed the
 * call and, for an autorouted call (`cloudsigma/auto`), which model it billed it at; the prices
 * come from the operator's config, then the gateway's listing (the gateway-prices seam). The
 * pricing rule itself is core's `priceCall`; this only chooses its inputs.
 */
export interface CallRoute {
  upstream?: string | undefined;
  autorouted: boolean;
  /** The model TaaS routed an autorouted call to, when it said. */
  routedModel?: string | undefined;
  /** The affinity id the optimizer sent the call with (its cache accounting is kept by it). */
  affinityId?: string | undefined;
}

/** The route of one call, by call id (the route-store seam, read side). */
export type RouteLookup = (callId: string) => CallRoute | undefined;

export function routeOfCapture(capture: RouteCapture | undefined): CallRoute | undefined {
  if (!capture) return undefined;
  return {
    upstream: capture.upstream,
    autorouted: capture.autorouted === true,
    routedModel: capture.autorouterModel,
    affinityId: capture.affinityId,
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
 * Fills a call row's upstream and routed model from its route (and returns the route, whose
 * affinity id the cache accounting uses) (rows without a call id, run
 * rows, have none; a missing or unreadable route store only means no route), then prices the
 * row: by the model TaaS routed it to when it was autorouted (unknown when TaaS did not say
 * which; the host's figure is for the requested model, not the billed one), else by the
 * requested model, with the host's figure as the fallback.
 */
export function completeAtWrite(
  record: UsageRecord,
  lookup: RouteLookup,
  prices: PriceLookup,
): CallRoute | undefined {
  const route = routeOf(record, lookup);
  if (route && record.upstreamRoute === null) record.upstreamRoute = route.upstream ?? null;
  const autorouted = route?.autorouted === true;
  if (autorouted && route.routedModel) {
    record.routedModel = modelId(route.routedModel, record.provider);
  }
  const pricedModel = autorouted ? record.routedModel : (record.routedModel ?? record.model);
  const cost = priceCall({
    usage: record.usage,
    prices: pricedModel && record.provider ? prices(record.provider, pricedModel) : undefined,
    host: record.hostCost,
    hostPricedSameModel: pricedModel !== null && pricedModel === record.model,
  });
  record.costNano = cost.costNano;
  record.costState = cost.costState;
  record.costSource = cost.costSource;
  record.savingNano = cost.savingNano;
  return route;
}

function routeOf(record: UsageRecord, lookup: RouteLookup): CallRoute | undefined {
  if (record.callId === null) return undefined;
  try {
    return lookup(record.callId);
  } catch {
    return undefined;
  }
}
