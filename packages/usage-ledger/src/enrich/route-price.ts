import type { PromptPrefix, RouteReader } from "@cloudsigma/taas-core/contracts/route-store";
import { type CallRoute, routeOfCapture } from "@cloudsigma/taas-core/usage/routed-pricing";

/**
 * Every ledger row is priced at batch time, in one place: only then is all of it known. The
 * token-cache optimizer's capture of the response headers lands a moment after the response
 * and says where TaaS routed the call and, for an autorouted call, which model it billed it
 * at; the pricing itself is core's `routedPricing` (the token audit prices its lines the same
 * way). This is what the ledger reads of the capture: the route, and the prompt digests its
 * cache accounting compares.
 */
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
