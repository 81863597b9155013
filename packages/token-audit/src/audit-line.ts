import { cacheHitPercent } from "@cloudsigma/taas-core/usage/cache-hit";
import { nanoToUsd } from "@cloudsigma/taas-core/usage/usage-cost";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";

/**
 * One audit line: who, which call, what it used (cache fields included), what it cost. The cost
 * is the usage ledger's for the same call (core's `routedPricing`): `routedModel` is the model
 * TaaS billed an autorouted call at, `costState` says whether `costUsd` is the whole cost
 * (`known`), what the priced token kinds cost, a lower bound (`partial`), or unknown (null).
 */
export function auditLine(record: UsageRecord) {
  const { usage } = record;
  return {
    time: new Date(record.ts).toISOString(),
    granularity: record.granularity,
    calls: record.calls,
    eventId: record.eventId,
    agentId: record.agentId,
    sessionKey: record.sessionKey,
    sessionId: record.sessionId,
    runId: record.runId,
    callId: record.callId,
    trigger: record.trigger,
    provider: record.provider,
    model: record.model,
    routedModel: record.routedModel,
    usage: {
      input: usage.input,
      output: usage.output,
      cacheRead: usage.cacheRead,
      cacheWrite: usage.cacheWrite,
      total: usage.total,
      known: usage.known,
    },
    cacheHitPercent: cacheHitPercent(usage),
    costUsd: record.costNano === null ? null : nanoToUsd(record.costNano),
    costState: record.costState,
    latencyMs: record.latencyMs,
    ttfbMs: record.ttfbMs,
    outcome: record.outcome,
    errorCategory: record.errorCategory,
  };
}
