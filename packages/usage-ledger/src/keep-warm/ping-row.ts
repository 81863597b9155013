import { KEEP_WARM_TRIGGER, type KeepWarmPing } from "@cloudsigma/taas-core/contracts/keep-warm";
import { readHostCost } from "@cloudsigma/taas-core/usage/usage-cost";
import { normalizeUsage } from "@cloudsigma/taas-core/usage/usage-normalize";
import { millis, type UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";

/**
 * A keep-warm ping as a ledger row of its own (trigger `keepwarm`), so reports count its tokens
 * and cost against what the warm returns after it saved. It is priced and accounted at batch
 * time like any call: its route and affinity id come from the optimizer's capture of the ping,
 * keyed by the same call id.
 */
export function pingRecord(ping: KeepWarmPing): UsageRecord {
  return {
    eventId: `call:${ping.callId}`,
    ts: ping.ts,
    granularity: "call",
    calls: 1,
    agentId: ping.agentId,
    sessionKey: null,
    sessionId: ping.sessionId,
    runId: null,
    callId: ping.callId,
    trigger: KEEP_WARM_TRIGGER,
    provider: ping.provider,
    model: ping.model,
    routedModel: null,
    upstreamRoute: null,
    usage: normalizeUsage(ping.usage),
    costNano: null,
    costState: "unknown",
    costSource: null,
    hostCost: readHostCost(ping.usage),
    savingNano: null,
    latencyMs: millis(ping.latencyMs),
    ttfbMs: null,
    outcome: ping.outcome,
    errorCategory: ping.outcome === "error" ? "keepwarm" : null,
  };
}
