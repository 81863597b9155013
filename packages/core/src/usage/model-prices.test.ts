import { describe, expect, it } from "vitest";
import {
  layeredPrices,
  type ModelPrices,
  noPrices,
  type PriceLookup,
  pricesFromHostConfig,
  readModelPrices,
} from "./model-prices.ts";

const configWith = (models: unknown[], provider = "cloudsigma") => ({
  models: { providers: { [provider]: { models } } },
});

describe("readModelPrices", () => {
  it.each<[string, unknown, ModelPrices | undefined]>([
    [
      "every kind stated",
      { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 3.75 },
      { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 3.75 },
    ],
    [
      "no cache-read price: that kind stays unknown",
      { input: 1.25, output: 10 },
      { input: 1.25, output: 10 },
    ],
    [
      "all zeros is the host's mark for an unpriced row",
      { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
      undefined,
    ],
    [
      // The host fills a kind the config leaves out with 0 before plugins see it.
      "a 0 beside prices reads as not stated",
      { input: 2, output: 8, cacheRead: 0, cacheWrite: 0 },
      { input: 2, output: 8 },
    ],
    [
      "unreadable values are no price",
      { input: "1", output: -1, cacheRead: Number.NaN, cacheWrite: 3 },
      { cacheWrite: 3 },
    ],
    ["not an object", "free", undefined],
    ["missing", undefined, undefined],
  ])("%s", (_label, cost, expected) => {
    expect(readModelPrices(cost)).toEqual(expected);
  });
});

describe("prices from the host config", () => {
  it("finds a model's prices by provider (case-insensitive) and model id", () => {
    const lookup = pricesFromHostConfig(() =>
      configWith([
        { id: "gpt-5.5", cost: { input: 1.25, output: 10 } },
        { id: "unpriced", cost: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } },
        { id: "no-cost" },
        "not a row",
      ]),
    );
    expect(lookup("cloudsigma", "gpt-5.5")).toEqual({ input: 1.25, output: 10 });
    expect(lookup("CloudSigma", "gpt-5.5")).toEqual({ input: 1.25, output: 10 });
    expect(lookup("cloudsigma", "unpriced")).toBeUndefined();
    expect(lookup("cloudsigma", "no-cost")).toBeUndefined();
    expect(lookup("other", "gpt-5.5")).toBeUndefined();
  });

  it("refuses a price past the ceiling, naming the model and the field once; that kind is unknown", () => {
    const lines: string[] = [];
    const config = configWith([
      { id: "absurd", cost: { input: 1e308, output: 10, cacheRead: 0, cacheWrite: 0 } },
      { id: "negative", cost: { input: -1, output: 0, cacheRead: 0, cacheWrite: 0 } },
    ]);
    const lookup = pricesFromHostConfig(
      () => config,
      (line) => lines.push(line),
    );
    // Another plugin instance reading the same config says nothing new.
    pricesFromHostConfig(
      () => config,
      (line) => lines.push(line),
    )("cloudsigma", "absurd");
    expect(lookup("cloudsigma", "absurd")).toEqual({ output: 10 });
    expect(lookup("cloudsigma", "negative")).toBeUndefined();
    expect(lines).toEqual([
      expect.stringMatching(
        /^price refused: cost\.input of model "cloudsigma\/absurd" in the OpenClaw config \(models\.providers\.<id>\.models\[\]\) is "1e\+308", not a price .* priced as unknown, not as free$/,
      ),
      expect.stringContaining('cost.input of model "cloudsigma/negative"'),
    ]);
  });

  it("reads the config as it is now: a price set while the gateway runs prices the next lookup", () => {
    let config = configWith([{ id: "gpt-5.5", cost: { input: 1, output: 2 } }]);
    let reads = 0;
    const lookup = pricesFromHostConfig(() => {
      reads += 1;
      return config;
    });
    expect(lookup("cloudsigma", "gpt-5.5")).toEqual({ input: 1, output: 2 });
    // The host replaces its config snapshot on a hot reload; the next lookup reads the new one.
    config = configWith([{ id: "gpt-5.5", cost: { input: 3, output: 4, cacheRead: 0.3 } }]);
    expect(lookup("cloudsigma", "gpt-5.5")).toEqual({ input: 3, output: 4, cacheRead: 0.3 });
    expect(reads).toBe(2);
  });

  it("reads the config it was loaded with when the host's current one cannot be read, and says so once", () => {
    const lines: string[] = [];
    const loaded = configWith([{ id: "gpt-5.5", cost: { input: 1, output: 2 } }]);
    const lookup = pricesFromHostConfig(
      () => {
        throw new Error("runtime gone");
      },
      (line) => lines.push(line),
      loaded,
    );
    expect(lookup("cloudsigma", "gpt-5.5")).toEqual({ input: 1, output: 2 });
    expect(lookup("cloudsigma", "gpt-5.5")).toEqual({ input: 1, output: 2 });
    expect(lines).toEqual([
      "cannot read the host's current config (runtime gone); prices come from the config as loaded, so a price changed since applies after a restart",
    ]);
  });

  it.each([undefined, null, {}, { models: { providers: { broken: { models: "nope" } } } }])(
    "reads nothing from a config without model rows (%j)",
    (config) => {
      expect(pricesFromHostConfig(() => config)("broken", "x")).toBeUndefined();
    },
  );
});

describe("layeredPrices: the operator's config over the gateway's listing, per token kind", () => {
  const config: PriceLookup = (_p, model) =>
    model === "a" ? { input: 2, output: 8 } : model === "c" ? { cacheRead: 0.1 } : undefined;
  const listing: PriceLookup = (_p, model) =>
    model === "a" || model === "b" || model === "c"
      ? { input: 1, output: 4, cacheRead: 0.5 }
      : undefined;
  const lookup = layeredPrices(config, listing);

  it.each<[string, string, ModelPrices | undefined]>([
    [
      "config wins where it states a price; the listing fills the rest",
      "a",
      { input: 2, output: 8, cacheRead: 0.5 },
    ],
    ["the listing alone", "b", { input: 1, output: 4, cacheRead: 0.5 }],
    ["a config cache-read price over the listing's", "c", { input: 1, output: 4, cacheRead: 0.1 }],
    ["neither: unknown", "d", undefined],
  ])("%s", (_label, model, expected) => {
    expect(lookup("cloudsigma", model)).toEqual(expected);
  });

  it("is unknown with no sources or only empty ones", () => {
    expect(layeredPrices()("p", "m")).toBeUndefined();
    expect(layeredPrices(noPrices, noPrices)("p", "m")).toBeUndefined();
  });
});
