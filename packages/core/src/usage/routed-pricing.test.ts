import { describe, expect, it } from "vitest";
import type { RouteCapture } from "../contracts/route-store.ts";
import { type CallRoute, routedPricing, routeOfCapture } from "./routed-pricing.ts";
import { sampleRecord } from "./usage-record.test-support.ts";
import type { UsageRecord } from "./usage-record.ts";

// gpt-5.4 priced (without a cache-read price); everything else unpriced.
const prices = (provider: string, model: string) =>
  provider === "cloudsigma" && model === "gpt-5.4" ? { input: 2.5, output: 15 } : undefined;
// As the tracker emits an `auto` call: the host priced `auto`, which nobody priced.
const auto = () =>
  sampleRecord({
    model: "auto",
    costNano: null,
    costState: "unknown",
    costSource: null,
    savingNano: null,
    hostCost: { total: 0, input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  });

const priced = (record: UsageRecord, route: CallRoute | undefined): UsageRecord => ({
  ...record,
  ...routedPricing(record, route, prices),
});

describe("routedPricing", () => {
  it.each<[string, CallRoute, Partial<UsageRecord>]>([
    [
      "routed to a priced model: priced by it (cache reads have no price: partial)",
      { upstream: "r1", autorouted: true, routedModel: "gpt-5.4" },
      {
        routedModel: "gpt-5.4",
        upstreamRoute: "r1",
        costNano: 176 * 2500 + 5 * 15_000,
        costState: "partial",
        costSource: "catalog",
        savingNano: null,
      },
    ],
    [
      "the header names the model with its provider",
      { autorouted: true, routedModel: "cloudsigma/gpt-5.4" },
      { routedModel: "gpt-5.4", costState: "partial" },
    ],
    [
      "routed where TaaS did not say: unknown",
      { autorouted: true },
      { routedModel: null, costNano: null, costState: "unknown" },
    ],
  ])("%s", (_label, route, expected) => {
    expect(priced(auto(), route)).toMatchObject(expected);
  });

  it("keeps the host's pricing for a call that was not autorouted", () => {
    const record = priced(sampleRecord(), { upstream: "r2", autorouted: false, routedModel: "x" });
    expect(record).toMatchObject({ upstreamRoute: "r2", routedModel: null, costSource: "host" });
  });

  it("leaves the row as it was without a route, and keeps an upstream the row already had", () => {
    expect(priced(auto(), undefined)).toEqual(auto());
    const run = sampleRecord({ callId: null, granularity: "run" });
    expect(priced(run, undefined)).toEqual(run);
    const kept = sampleRecord({ upstreamRoute: "kept" });
    expect(priced(kept, { upstream: "r1", autorouted: false }).upstreamRoute).toBe("kept");
  });

  it("records a cost past what a row can hold as unknown, not as a number SQLite refuses", () => {
    const huge = () => ({ input: 1e308, output: 1e308, cacheRead: 1 });
    expect(routedPricing(sampleRecord(), undefined, huge)).toMatchObject({
      costNano: null,
      costState: "unknown",
      costSource: null,
      savingNano: null,
    });
    // Only the saving (1024 cached tokens at $1e10/M) passes the range: the cost stays.
    const saving = () => ({ input: 1e10, output: 1, cacheRead: 0 });
    expect(routedPricing(sampleRecord(), undefined, saving)).toMatchObject({
      costNano: 1000 * (176 * 1e10 + 5),
      costState: "known",
      savingNano: null,
    });
  });

  it("reads the optimizer's capture", () => {
    const capture = {
      capturedAt: "2026-11-01T00:00:00Z",
      affinityId: "s",
      provider: "cloudsigma",
      model: "auto",
      status: 200,
      upstream: "replica-2",
      autorouted: true,
      autorouterModel: "gpt-5.5",
    } satisfies RouteCapture;
    expect(routeOfCapture(capture)).toEqual({
      upstream: "replica-2",
      autorouted: true,
      routedModel: "gpt-5.5",
      affinityId: capture.affinityId,
    });
    expect(routeOfCapture(undefined)).toBeUndefined();
  });
});
