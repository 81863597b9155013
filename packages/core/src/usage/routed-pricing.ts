import type { RouteCapture } from "../contracts/route-store.ts";
import type { PriceLookup } from "./model-prices.ts";
import { type CallCost, priceCall } from "./usage-cost.ts";
import type { UsageRecord } from "./usage-record.ts";

/**
 * How a model call is priced once its route is known: TaaS bills an autorouted call
 * (`cloudsigma/auto`) at the model it routed it to, which only the response headers say (the
 * token-cache optimizer captures them: `X-TaaS-Autorouter-Model`, `X-TaaS-Upstream`). The usage
 * ledger and the token audit both price a call here, with the same prices (the operator's
 * config, then the gateway's listing), so their figures come from one definition. The pricing
 * rule itself is `priceCall`; this only chooses its inputs.
 */
export interface CallRoute {
  upstream?: string | undefined;
  autorouted: boolean;
  /** The model TaaS routed an autorouted call to, when it said. */
  routedModel?: string | undefined;
  /** The affinity id the optimizer sent the call with. */
  affinityId?: string | undefined;
  /** The bounded scope's shard of the workspace id that affinity id is (0: the workspace id). */
  affinityShard?: number | undefined;
}

/** The route of one call as the optimizer captured it (the route-store seam's read side). */
export function routeOfCapture(capture: RouteCapture | undefined): CallRoute | undefined {
  if (!capture) return undefined;
  return {
    upstream: capture.upstream,
    autorouted: capture.autorouted === true,
    routedModel: capture.autorouterModel,
    affinityId: capture.affinityId,
    affinityShard: capture.affinityShard,
  };
}

/** The routed model id as the provider's catalog names it (`cloudsigma/gpt-5.5` -> `gpt-5.5`). */
function modelId(routed: string, provider: string | null): string {
  const prefix = provider ? `${provider}/` : "";
  return prefix && routed.toLowerCase().startsWith(prefix.toLowerCase())
    ? routed.slice(prefix.length)
    : routed;
}

type RoutedPricing = Pick<UsageRecord, "upstreamRoute" | "routedModel"> & CallCost;

/**
 * A call's upstream and routed model from its route (rows without a call id, run rows, have
 * none; no capture only means no route), and its price: by the model TaaS routed it to when it
 * was autorouted (unknown when TaaS did not say which; the host's figure is for the requested
 * model, not the billed one), else by the requested model, with the host's figure as the
 * fallback. A cost or saving no row could hold exactly stays unknown (`priceCall`).
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
  return { upstreamRoute, routedModel, ...cost };
}
