import type { ModelPrices, PriceLookup } from "@cloudsigma/taas-core/usage/model-prices";
import { describe, expect, it } from "vitest";
import { planReprice, type StoredRow } from "./plan.ts";

// One row, priced again: what changes, whose prices did it, and what never changes.

const ROW: StoredRow = {
  id: 1,
  ts: 0,
  granularity: "call",
  calls: 1,
  provider: "cloudsigma",
  model: "gpt-5.5",
  routed_model: null,
  upstream_route: null,
  input: 1000,
  output: 100,
  cache_read: 2000,
  cache_write: 0,
  total: 3100,
  usage_known: 1,
  cost_nusd: null,
  cost_state: "unknown",
  cost_source: null,
  saving_nusd: null,
  missed_tokens: null,
  missed_cost_nusd: null,
};

const table =
  (prices: ModelPrices | undefined): PriceLookup =>
  (_provider, model) =>
    model === "gpt-5.5" ? prices : undefined;
const none = table(undefined);

describe("planReprice", () => {
  it("takes each kind from the config, else the listing, and says both priced it", () => {
    const plan = planReprice(ROW, {
      config: table({ input: 2, cacheRead: 0.5 }),
      listing: table({ input: 99, output: 8 }),
    });
    expect(plan.repricing).toMatchObject({
      costNano: 1000 * (1000 * 2 + 100 * 8 + 2000 * 0.5),
      costState: "known",
      costSource: "catalog",
      savingNano: 2000 * 1.5 * 1000,
      source: "config+listing",
    });
    expect(plan.unpricedBecause).toBeUndefined();
  });

  it("leaves a partial row whose new price still covers no more, and says what it lacks", () => {
    const partial: StoredRow = {
      ...ROW,
      cost_nusd: 5_000_000,
      cost_state: "partial",
      cost_source: "host",
    };
    const plan = planReprice(partial, { config: table({ input: 2, output: 8 }), listing: none });
    expect(plan.repricing).toBeUndefined();
    expect(plan.unpricedBecause).toBe("no cacheRead price for cloudsigma/gpt-5.5");
  });

  it("prices only the missed cost of a row that stays partial, keeping its cost", () => {
    const partial: StoredRow = {
      ...ROW,
      cost_nusd: 3_000_000,
      cost_state: "partial",
      cost_source: "catalog",
      saving_nusd: 3_000_000,
      missed_tokens: 400,
    };
    // Input and cache-read prices (the missed cost's two) but still none for output.
    const plan = planReprice(partial, {
      config: table({ input: 2, cacheRead: 0.5 }),
      listing: none,
    });
    expect(plan.repricing).toEqual({
      costNano: 3_000_000,
      costState: "partial",
      costSource: "catalog",
      savingNano: 3_000_000,
      missedCostNano: 400 * 1.5 * 1000,
      source: "config",
    });
    expect(plan.unpricedBecause).toBe("no output price for cloudsigma/gpt-5.5");
  });

  it("prices an autorouted call by its routed model, never by `auto`", () => {
    const routed = { ...ROW, model: "auto", routed_model: "gpt-5.5" };
    expect(
      planReprice(routed, { config: table({ input: 1 }), listing: none }).repricing,
    ).toMatchObject({
      costState: "partial",
      costNano: 1_000_000,
      source: "config",
    });
    const unrouted = { ...ROW, model: "auto" };
    expect(planReprice(unrouted, { config: table({ input: 1 }), listing: none })).toEqual({
      repricing: undefined,
      unpricedBecause: "no input, output, cacheRead price for cloudsigma/auto",
    });
  });

  it("never prices a row whose tokens are unknown", () => {
    const plan = planReprice(
      { ...ROW, usage_known: 0 },
      { config: table({ input: 1, output: 1, cacheRead: 1 }), listing: none },
    );
    expect(plan).toEqual({ repricing: undefined, unpricedBecause: "its token counts are unknown" });
  });
});
