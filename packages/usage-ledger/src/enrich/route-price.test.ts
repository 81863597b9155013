import type { RouteCapture } from "@cloudsigma/taas-core/contracts/route-store";
import type { UsageRecord } from "@cloudsigma/taas-core/usage/usage-record";
import { sampleRecord } from "@cloudsigma/taas-core/usage/usage-record.test-support";
import { describe, expect, it } from "vitest";
import { type CallRoute, completeAtWrite, routeOfCapture } from "./route-price.ts";

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

function complete(record: UsageRecord, route: CallRoute | undefined | Error): UsageRecord {
  completeAtWrite(
    record,
    () => {
      if (route instanceof Error) throw route;
      return route;
    },
    prices,
  );
  return record;
}

describe("completeAtWrite", () => {
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
    expect(complete(auto(), route)).toMatchObject(expected);
  });

  it("keeps the host's pricing for a call that was not autorouted", () => {
    const record = complete(sampleRecord(), {
      upstream: "r2",
      autorouted: false,
      routedModel: "x",
    });
    expect(record).toMatchObject({ upstreamRoute: "r2", routedModel: null, costSource: "host" });
  });

  it("leaves the row as it was without a route, or when the route store fails", () => {
    expect(complete(auto(), undefined)).toEqual(auto());
    expect(complete(auto(), new Error("store down"))).toEqual(auto());
    const run = sampleRecord({ callId: null, granularity: "run" });
    expect(complete(run, { autorouted: true, routedModel: "gpt-5.4" })).toEqual(
      sampleRecord({ callId: null, granularity: "run" }),
    );
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
