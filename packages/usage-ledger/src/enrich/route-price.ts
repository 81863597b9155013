import type {
  PromptPrefix,
  RouteCapture,
  RouteReader,
} from "@cloudsigma/taas-core/contracts/route-store";
import type { PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { type CallCost, priceCall } from "@cloudsigma/taas-core/usage/usage-cost";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";

/**
 * Every ledger row is priced at batch time, in one place: only then is all of it known. The
 * token-cache optimizer's capture of the response headers (`X-TaaS-Upstream`,
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

/** What the optimizer captured of one call (the route-store seam, read side). */
export interface RouteSource {
  route(callId: string): CallRoute | undefined;
  /** The call's prompt digests, for its cache accounting. */
  prefix(callId: string): PromptPrefix | undefined;
}

/** Core's RouteReader as a route source. */
export function routeSourceOf(reader: Pick<RouteReader, "byCallId" | "prefixByCallId">) {
  return {
    route: (callId) => routeOfCapture(reader.byCallId(callId)),
    prefix: (callId) => reader.prefixByCallId(callId),
  } satisfies RouteSource;
}

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

export type RoutedPricing = Pick<UsageRecord, "upstreamRoute" | "routedModel"> & CallCost;

/**
 * A call row's upstream and routed model from its route (rows without a call id, run rows,
 * have none; no capture only means no route), and its price: by the model TaaS routed it to
 * when it was autorouted (unknown when TaaS did not say which; the host's figure is for the
 * requested model, not the billed one), else by the requested model, with the host's figure as
 * the fallback.
 */
export function routedPricing(
  record: UsageRecord,
  route: CallRoute | undefined,
  prices: PriceLookup,
): RoutedPricing {
  const upstreamRoute = record.upstreamRoute ?? route?.upstream ?? null;
  const autorouted = route?.autorouted === true;
  const routedModel =
    autorouted && route.routedModel
      ? modelId(route.routedModel, record.provider)
      : record.routedModel;
  const pricedModel = autorouted ? routedModel : (routedModel ?? record.model);
  const cost = priceCall({
    usage: record.usage,
    prices: pricedModel && record.provider ? prices(record.provider, pricedModel) : undefined,
    host: record.hostCost,
    hostPricedSameModel: pricedModel !== null && pricedModel === record.model,
  });
  // priceCall keeps a cost or saving the ledger could not hold exactly unknown (storableNano).
  return { upstreamRoute, routedModel, ...cost };
}
