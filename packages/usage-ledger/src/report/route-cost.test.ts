import { describe, expect, it } from "vitest";
import {
  type PricierRoute,
  pricierRoutes,
  pricierRouteText,
  type RouteSums,
} from "./route-cost.ts";

const AUTO = "cloudsigma/auto";
const sums = (agent: string, routed: string, calls: number, costNano: number, tokens: number) =>
  ({
    agent,
    requested: AUTO,
    routed,
    calls,
    costNano,
    knownCostNano: costNano,
    knownTokens: tokens,
  }) satisfies RouteSums;

describe("pricierRoutes", () => {
  it("names the route that drives an agent's cost at well over the cheapest route's rate", () => {
    // The operator's case: 4 of 7 calls went to the reasoning route at 2.4x per token.
    const found = pricierRoutes([
      sums("main", "claude-fable-5", 4, 4 * 24_000_000, 4 * 10_000),
      sums("main", "gpt-5.5", 3, 3 * 10_000_000, 3 * 10_000),
    ]);
    expect(found).toEqual([
      {
        agent: "main",
        requested: AUTO,
        routed: "claude-fable-5",
        calls: 4,
        ofCalls: 7,
        costUsd: 0.096,
        costShare: 96 / 126,
        rateRatio: 2.4,
        cheapest: "gpt-5.5",
      } satisfies PricierRoute,
    ]);
    const [route] = found;
    if (!route) throw new Error("no route found");
    expect(pricierRouteText(route)).toContain(
      "agent main: 4 of 7 call(s) to cloudsigma/auto went to claude-fable-5, 76 % of their cost ($0.096), at 2.4x the cost per token of gpt-5.5",
    );
    expect(pricierRouteText(route)).toContain("/think default");
  });

  it("compares with the cheapest route any agent took, so an agent always on the pricey one shows", () => {
    const found = pricierRoutes([
      sums("ops", "claude-fable-5", 5, 5 * 24_000_000, 5 * 10_000),
      sums("main", "gpt-5.5", 3, 3 * 10_000_000, 3 * 10_000),
    ]);
    expect(found.map((r) => [r.agent, r.calls, r.ofCalls, r.costShare])).toEqual([
      ["ops", 5, 5, 1],
    ]);
  });

  it.each([
    [
      "a pricier route below half the cost",
      [sums("a", "x", 1, 20, 10), sums("a", "y", 30, 300, 300)],
    ],
    ["routes within 1.5x", [sums("a", "x", 5, 140, 100), sums("a", "y", 5, 100, 100)]],
    ["one route only", [sums("a", "x", 5, 500, 100)]],
    ["no priced call", [{ ...sums("a", "x", 5, 0, 0), knownTokens: 0 }, sums("a", "y", 1, 0, 0)]],
  ])("says nothing for %s", (_label, rows) => {
    expect(pricierRoutes(rows)).toEqual([]);
  });
});
