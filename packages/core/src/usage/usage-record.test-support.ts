import { normalizeUsage } from "./usage-normalize.ts";
import type { UsageRecord } from "./usage-record.ts";

/** A realistic call row; tests override what they exercise. */
export function sampleRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    eventId: "call:run-1:model:1",
    ts: Date.UTC(2026, 10, 20, 10, 30),
    granularity: "call",
    calls: 1,
    agentId: "main",
    sessionKey: "agent:main:main",
    sessionId: "sess-1",
    runId: "run-1",
    callId: "run-1:model:1",
    trigger: "user",
    provider: "cloudsigma",
    model: "gpt-5.5",
    routedModel: null,
    upstreamRoute: null,
    usage: normalizeUsage({ input: 176, output: 5, cacheRead: 1024, cacheWrite: 0 }),
    // The host's own figure (176 x 1.25 + 5 x 10 + 1024 x 0.125 USD per million tokens).
    costNano: 398_000,
    costState: "known",
    costSource: "host",
    savingNano: 1_152_000,
    hostCost: {
      total: 0.000398,
      input: 0.00022,
      output: 0.00005,
      cacheRead: 0.000128,
      cacheWrite: 0,
    },
    latencyMs: 397,
    ttfbMs: 322,
    outcome: "completed",
    errorCategory: null,
    ...overrides,
  };
}

/** `count` distinct call rows spread one minute apart from `start`. */
export function sampleRecords(
  count: number,
  start: number,
  overrides: Partial<UsageRecord> = {},
): UsageRecord[] {
  return Array.from({ length: count }, (_, i) =>
    sampleRecord({
      eventId: `call:r${i}:model:1`,
      callId: `r${i}:model:1`,
      runId: `r${i}`,
      ts: start + i * 60_000,
      ...overrides,
    }),
  );
}
