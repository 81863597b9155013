import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import { describe, expect, it } from "vitest";
import {
  catalogCost,
  INVALID_PRICING,
  LISTING_SOURCE,
  listedPrices,
  readListedPricing,
  withListedPrices,
} from "./listed-prices.ts";
import { staticModels } from "./seed-catalog.ts";

describe("readListedPricing", () => {
  it.each<[string, unknown, ModelPrices | undefined | typeof INVALID_PRICING]>([
    [
      "input and output, as TaaS lists them",
      { input: 1.25, output: 10 },
      { input: 1.25, output: 10 },
    ],
    [
      "with cache prices when the gateway sends them",
      { input: 1.25, output: 10, cache_read: 0.125, cache_write: 0 },
      { input: 1.25, output: 10, cacheRead: 0.125 },
    ],
    ["an input price alone: output stays unknown", { input: 2 }, { input: 2 }],
    ["all zeros states no price", { input: 0, output: 0 }, undefined],
    ["no pricing", undefined, undefined],
    ["null pricing", null, undefined],
    ["unrelated fields only", { currency: "USD" }, undefined],
    ["a string", "free", INVALID_PRICING],
    ["a negative price", { input: -1, output: 1 }, INVALID_PRICING],
    ["a string price", { input: "1.25", output: 10 }, INVALID_PRICING],
    ["a price past the ceiling: that kind unknown", { input: 1e308, output: 10 }, { output: 10 }],
  ])("%s", (_label, pricing, expected) => {
    expect(readListedPricing(pricing)).toEqual(expected);
  });

  it("hands a price past the ceiling on by its listing field, and keeps the row's others", () => {
    const refused: Array<[string, unknown]> = [];
    const pricing = { input: 1.25, output: 10_000.5, cache_read: 1e308 };
    expect(readListedPricing(pricing, (field, value) => refused.push([field, value]))).toEqual({
      input: 1.25,
    });
    expect(refused).toEqual([
      ["pricing.output", 10_000.5],
      ["pricing.cache_read", 1e308],
    ]);
  });
});

describe("listed prices in the catalog", () => {
  const rows = [
    { id: "gpt-5.5", pricing: { input: 1.25, output: 10 } },
    { id: "gpt-5.5", pricing: { input: 99, output: 99 } }, // a repeated id: the first row counts
    { id: "kimi-k2.6", pricing: "garbled" },
    { id: "glm-4.5-air" },
    { pricing: { input: 1, output: 1 } },
    "not a row",
  ];

  it("reads each row's prices by id, skipping rows without readable ones", () => {
    expect(listedPrices(rows)).toEqual(new Map([["gpt-5.5", { input: 1.25, output: 10 }]]));
  });

  it("names the model and field of each refused price", () => {
    const refused: unknown[] = [];
    const absurd = [{ id: "absurd", pricing: { input: 1e308, output: 4 } }];
    expect(listedPrices(absurd, (one) => refused.push(one))).toEqual(
      new Map([["absurd", { output: 4 }]]),
    );
    expect(refused).toEqual([
      { source: LISTING_SOURCE, model: "absurd", field: "pricing.input", value: 1e308 },
    ]);
  });

  it("fills the listed prices into seed rows, limits and the rest untouched", () => {
    const seeds = staticModels();
    const priced = withListedPrices(seeds, listedPrices(rows));
    expect(priced).toEqual(
      seeds.map((model) =>
        model.id === "gpt-5.5"
          ? { ...model, cost: { input: 1.25, output: 10, cacheRead: 0, cacheWrite: 0 } }
          : model,
      ),
    );
  });

  it("writes 0 for what nobody stated, the host's own mark for an unknown price", () => {
    expect(catalogCost(undefined)).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
    expect(catalogCost({ cacheRead: 0.1 })).toEqual({
      input: 0,
      output: 0,
      cacheRead: 0.1,
      cacheWrite: 0,
    });
  });
});
