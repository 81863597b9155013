import { describe, expect, it } from "vitest";
import { isRefusedPrice, MAX_PRICE_USD_PER_MILLION, warnRefusedPrice } from "./price-ceiling.ts";

// The refused-price lines are said once per process: each test names its own models, and the
// test of the cap on distinct lines comes last.

describe("the price ceiling", () => {
  it.each<[unknown, boolean]>([
    [undefined, false],
    [null, false],
    [0, false],
    [1.25, false],
    [MAX_PRICE_USD_PER_MILLION, false],
    [MAX_PRICE_USD_PER_MILLION + 0.01, true],
    [1e308, true],
    [Number.POSITIVE_INFINITY, true],
    [Number.NaN, true],
    [-1, true],
    ["1.25", true],
  ])("%s is refused: %s", (value, refused) => {
    expect(isRefusedPrice(value)).toBe(refused);
  });

  it("a 10M-token call at the ceiling stays far inside what a ledger row holds exactly", () => {
    const nanoPerToken = MAX_PRICE_USD_PER_MILLION * 1000;
    expect(10_000_000 * nanoPerToken).toBeLessThan(Number.MAX_SAFE_INTEGER / 50);
  });
});

describe("warnRefusedPrice", () => {
  it("names the model, the field, where it was read and the value, once per process", () => {
    const lines: string[] = [];
    const refused = { source: "the test listing", model: "cloudsigma/absurd", field: "cost.input" };
    warnRefusedPrice((line) => lines.push(line), { ...refused, value: 1e308 });
    warnRefusedPrice((line) => lines.push(line), { ...refused, value: 1e308 });
    warnRefusedPrice((line) => lines.push(line), { ...refused, field: "cost.output", value: -1 });
    expect(lines).toEqual([
      `price refused: cost.input of model "cloudsigma/absurd" in the test listing is "1e+308", not a price (USD per million tokens, from 0 to ${MAX_PRICE_USD_PER_MILLION}); that kind of its tokens is priced as unknown, not as free`,
      expect.stringContaining(
        'cost.output of model "cloudsigma/absurd" in the test listing is "-1"',
      ),
    ]);
  });

  it("quotes a long model id cut short", () => {
    const lines: string[] = [];
    const model = `m${"x".repeat(10_000)}`;
    warnRefusedPrice((line) => lines.push(line), { source: "s", model, field: "f", value: 1e308 });
    expect(lines[0]?.length).toBeLessThan(400);
  });

  it("stops after 200 distinct refused prices, and says so once", () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      warnRefusedPrice((line) => lines.push(line), {
        source: "a hostile listing",
        model: `flood-${i}`,
        field: "input",
        value: 1e308,
      });
    }
    expect(lines.length).toBeLessThanOrEqual(201);
    expect(lines.at(-1)).toMatch(/^more than 200 prices refused; further ones are not logged/);
  });
});
