import { describe, expect, it } from "vitest";
import {
  costForUsage,
  nanoToUsd,
  pricesFromHostConfig,
  priceUsageNano,
  usdToNano,
} from "./usage-cost.ts";
import { normalizeUsage } from "./usage-normalize.ts";

const prices = { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 };
const config = {
  models: {
    providers: {
      cloudsigma: { models: [{ id: "gpt-5.5", cost: prices }, { id: "free" }] },
      broken: { models: "nope" },
    },
  },
};

describe("prices from the host config", () => {
  it("finds a model's catalog prices, provider id case-insensitive", () => {
    const lookup = pricesFromHostConfig(config);
    expect(lookup("cloudsigma", "gpt-5.5")).toEqual(prices);
    expect(lookup("CloudSigma", "gpt-5.5")).toEqual(prices);
    expect(lookup("cloudsigma", "free")).toBeUndefined();
    expect(lookup("broken", "x")).toBeUndefined();
    expect(pricesFromHostConfig(undefined)("a", "b")).toBeUndefined();
  });
});

describe("costForUsage", () => {
  const usage = normalizeUsage({ input: 176, output: 5, cacheRead: 1024, cacheWrite: 0 });

  it("prices tokens per million, exactly, in nano-dollars", () => {
    // 176*1.25 + 5*10 + 1024*0.125 = 220 + 50 + 128 = 398 USD per million = 0.000398 USD.
    expect(priceUsageNano(usage, prices)).toBe(398_000);
    expect(nanoToUsd(398_000)).toBe(0.000398);
    expect(usdToNano(0.01798375)).toBe(17_983_750);
  });

  it("prefers the host's cost when it reported one", () => {
    const raw = { ...usage, cost: { total: 0.5, input: 0.0002, cacheRead: 0.000128 } };
    expect(costForUsage(usage, raw, prices)).toEqual({
      costNano: 500_000_000,
      costSource: "host",
      savingNano: 1024 * (1.25 - 0.125) * 1000,
    });
  });

  it("falls back to catalog prices when the host's cost is absent or zero", () => {
    expect(costForUsage(usage, { input: 1 }, prices)).toMatchObject({
      costNano: 398_000,
      costSource: "catalog",
    });
    expect(costForUsage(usage, { cost: { total: 0 } }, prices)).toMatchObject({
      costSource: "catalog",
    });
  });

  it("keeps a host zero when there is no catalog price, and unknown when there is neither", () => {
    expect(costForUsage(usage, { cost: { total: 0 } }, undefined)).toMatchObject({
      costNano: 0,
      costSource: "host",
    });
    expect(costForUsage(usage, {}, undefined)).toEqual({
      costNano: null,
      costSource: null,
      savingNano: null,
    });
    expect(costForUsage(usage, { cost: "lots" }, undefined).costNano).toBeNull();
  });

  it("derives the saving from the host's cost breakdown when the catalog has no row", () => {
    // input price 0.00022/176 per token, cached 0.000128/1024 per token.
    const raw = { cost: { total: 0.000398, input: 0.00022, cacheRead: 0.000128 } };
    expect(costForUsage(usage, raw, undefined).savingNano).toBe(
      usdToNano(1024 * (0.00022 / 176 - 0.000128 / 1024)),
    );
  });

  it("saves nothing without cache reads", () => {
    const cold = normalizeUsage({ input: 1000, output: 1 });
    expect(costForUsage(cold, {}, prices).savingNano).toBe(0);
  });
});
