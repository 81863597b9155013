import { cacheHitPercent } from "@cloudsigma/taas-core/usage/cache-hit";
import { nanoToUsd } from "@cloudsigma/taas-core/usage/usage-cost";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";

/** One audit line: who, which call, what it used (cache fields included), what it cost. */
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
    latencyMs: record.latencyMs,
    ttfbMs: record.ttfbMs,
    outcome: record.outcome,
    errorCategory: record.errorCategory,
  };
}
