import { describe, expect, it } from "vitest";
import type { ModelPrices } from "./model-prices.ts";
import {
  type CallCost,
  type HostCost,
  nanoToUsd,
  priceCall,
  readHostCost,
  usdToNano,
} from "./usage-cost.ts";
import { EMPTY_USAGE, normalizeUsage } from "./usage-normalize.ts";

// 176 uncached input, 5 output, 1024 cache reads: a warm OpenAI-style call.
const warm = normalizeUsage({ input: 176, output: 5, cacheRead: 1024, cacheWrite: 0 });
const cold = normalizeUsage({ input: 1000, output: 10 });
const full: ModelPrices = { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 0 };
const noCacheReadPrice: ModelPrices = { input: 1.25, output: 10 };

// USD per million tokens = 1000 nano-dollars per token.
const nano = (tokens: number, usdPerMillion: number) => tokens * usdPerMillion * 1000;
const WARM_FULL = nano(176, 1.25) + nano(5, 10) + nano(1024, 0.125); // 398_000
const WARM_SAVING = nano(1024, 1.25 - 0.125);
const unknownCost: CallCost = {
  costNano: null,
  costState: "unknown",
  costSource: null,
  savingNano: null,
};

describe("priceCall: precedence, partial and unknown", () => {
  it.each<[string, ModelPrices | undefined, HostCost, boolean, CallCost]>([
    [
      "stated prices for every kind used: known, from the catalog",
      full,
      {},
      true,
      { costNano: WARM_FULL, costState: "known", costSource: "catalog", savingNano: WARM_SAVING },
    ],
    [
      "stated prices win over the host's figure for the same model",
      full,
      { total: 0.5 },
      true,
      { costNano: WARM_FULL, costState: "known", costSource: "catalog", savingNano: WARM_SAVING },
    ],
    [
      "cache reads without a cache-read price: partial, the priced kinds only, no saving",
      noCacheReadPrice,
      { total: 0.00027 },
      true,
      {
        costNano: nano(176, 1.25) + nano(5, 10),
        costState: "partial",
        costSource: "catalog",
        savingNano: null,
      },
    ],
    [
      "no stated price, the host priced the model above 0: the host's cost",
      undefined,
      { total: 0.000398 },
      true,
      { costNano: 398_000, costState: "known", costSource: "host", savingNano: null },
    ],
    [
      "no stated price, the host's breakdown prices cache reads at 0: partial",
      undefined,
      { total: 0.00027, input: 0.00022, output: 0.00005, cacheRead: 0, cacheWrite: 0 },
      true,
      { costNano: 270_000, costState: "partial", costSource: "host", savingNano: null },
    ],
    [
      "no stated price and the host reported 0: unknown, not free",
      undefined,
      { total: 0 },
      true,
      { costNano: null, costState: "unknown", costSource: null, savingNano: null },
    ],
    [
      "no price at all: unknown",
      undefined,
      {},
      true,
      { costNano: null, costState: "unknown", costSource: null, savingNano: null },
    ],
    [
      "priced by another model than the host priced: the host's figure does not apply",
      undefined,
      { total: 0.000398, input: 0.00022, cacheRead: 0.000128 },
      false,
      { costNano: null, costState: "unknown", costSource: null, savingNano: null },
    ],
    [
      "prices for kinds the call did not use only: unknown",
      { cacheWrite: 3.75 },
      {},
      true,
      { costNano: null, costState: "unknown", costSource: null, savingNano: null },
    ],
  ])("%s", (_label, prices, host, hostPricedSameModel, expected) => {
    expect(priceCall({ usage: warm, prices, host, hostPricedSameModel })).toEqual(expected);
  });

  it("a call with unknown usage has an unknown cost; one with no tokens costs 0", () => {
    expect(
      priceCall({ usage: { ...EMPTY_USAGE }, prices: full, hostPricedSameModel: true }),
    ).toMatchObject({ costNano: null, costState: "unknown" });
    const none = normalizeUsage({ input: 0, output: 0 });
    expect(priceCall({ usage: none, prices: undefined, hostPricedSameModel: true })).toEqual({
      costNano: 0,
      costState: "known",
      costSource: null,
      savingNano: 0,
    });
  });

  it("prices exactly in nano-dollars", () => {
    expect(WARM_FULL).toBe(398_000);
    expect(nanoToUsd(398_000)).toBe(0.000398);
    expect(usdToNano(0.01798375)).toBe(17_983_750);
  });
});

describe("priceCall: the cache saving", () => {
  it.each<[string, ModelPrices | undefined, HostCost, number | null]>([
    ["both prices known", { input: 1.25, cacheRead: 0.125 }, {}, WARM_SAVING],
    ["no cache-read price", { input: 1.25, output: 10 }, {}, null],
    ["no input price", { cacheRead: 0.125, output: 10 }, {}, null],
    ["a cache read dearer than input saves nothing", { input: 1, cacheRead: 2 }, {}, 0],
    [
      "no stated prices: from the host's breakdown when it priced both parts",
      undefined,
      { total: 0.000398, input: 0.00022, cacheRead: 0.000128 },
      usdToNano(1024 * (0.00022 / 176 - 0.000128 / 1024)),
    ],
    [
      "the host's breakdown with cache reads at 0 (unpriced) gives no saving",
      undefined,
      { total: 0.00022, input: 0.00022, cacheRead: 0 },
      null,
    ],
  ])("%s", (_label, prices, host, expected) => {
    expect(priceCall({ usage: warm, prices, host, hostPricedSameModel: true }).savingNano).toBe(
      expected,
    );
  });

  it("is 0 without cache reads, whatever is known about prices", () => {
    expect(priceCall({ usage: cold, prices: undefined, hostPricedSameModel: true })).toMatchObject({
      costState: "unknown",
      savingNano: 0,
    });
    expect(priceCall({ usage: cold, prices: full, hostPricedSameModel: true }).savingNano).toBe(0);
  });
});

describe("priceCall: a figure a ledger row cannot hold exactly is unknown", () => {
  // Prices are bounded when read; these reach priceCall only through a host's own figure, a
  // huge token count, or a caller that skipped the readers.
  const huge = normalizeUsage({ input: Number.MAX_SAFE_INTEGER, output: 5, cacheRead: 1024 });

  it.each<[string, Parameters<typeof priceCall>[0]]>([
    [
      "a stated price of 1e308",
      { usage: warm, prices: { ...full, input: 1e308 }, hostPricedSameModel: true },
    ],
    [
      "a safe token count at a real price",
      { usage: huge, prices: full, hostPricedSameModel: true },
    ],
    [
      "the host's own cost of 1e300 USD",
      { usage: warm, prices: undefined, host: { total: 1e300 }, hostPricedSameModel: true },
    ],
  ])("%s: cost unknown, not a number SQLite refuses", (_label, input) => {
    expect(priceCall(input)).toMatchObject({ costNano: null, costState: "unknown" });
  });

  it("keeps a storable saving beside an unknown cost, and drops one it cannot store", () => {
    const costly = priceCall({
      usage: warm,
      prices: { ...full, output: 1e308 },
      hostPricedSameModel: true,
    });
    expect(costly).toEqual({ ...unknownCost, savingNano: WARM_SAVING });
    const saving = priceCall({
      usage: warm,
      prices: { input: 1e308, cacheRead: 0.125 },
      hostPricedSameModel: true,
    });
    expect(saving.savingNano).toBeNull();
  });
});

describe("readHostCost", () => {
  it.each<[unknown, HostCost]>([
    [
      { cost: { total: 0.5, input: 0.2, cacheRead: 0.1 } },
      { total: 0.5, input: 0.2, cacheRead: 0.1 },
    ],
    [
      { cost: { total: 0.3, input: 0.2, output: 0.1, cacheRead: 0, cacheWrite: 0 } },
      { total: 0.3, input: 0.2, output: 0.1, cacheRead: 0, cacheWrite: 0 },
    ],
    [{ cost: 0.25 }, { total: 0.25 }],
    [
      { cost: { total: -1, input: "x" } },
      { total: undefined, input: undefined, cacheRead: undefined },
    ],
    [{ cost: "lots" }, {}],
    [undefined, {}],
  ])("%j", (raw, expected) => {
    expect(readHostCost(raw)).toEqual(expected);
  });
});
