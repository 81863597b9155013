import { describe, expect, it } from "vitest";
import { gatewayPrices, publishGatewayPrices } from "./gateway-prices.ts";

describe("the gateway-prices seam", () => {
  it("answers the listed prices for the provider and its aliases, unknown kinds left out", () => {
    publishGatewayPrices(
      ["seam-test", "seam-test-alias"],
      new Map([["gpt-5.5", { input: 1.25, output: 10 }]]),
    );
    expect(gatewayPrices("seam-test", "gpt-5.5")).toEqual({ input: 1.25, output: 10 });
    expect(gatewayPrices("Seam-Test-Alias", "gpt-5.5")).toEqual({ input: 1.25, output: 10 });
    expect(gatewayPrices("seam-test", "not-listed")).toBeUndefined();
    expect(gatewayPrices("another-provider", "gpt-5.5")).toBeUndefined();
  });

  it("replaces a provider's table with the newest listing, and hands out copies", () => {
    const table = new Map([["m", { input: 1, output: 2 }]]);
    publishGatewayPrices(["seam-replace"], table);
    table.set("m", { input: 99, output: 99 }); // the publisher's later edit does not leak in
    const answered = gatewayPrices("seam-replace", "m");
    if (answered) answered.input = 42; // nor does a reader's
    expect(gatewayPrices("seam-replace", "m")).toEqual({ input: 1, output: 2 });
    publishGatewayPrices(["seam-replace"], new Map([["n", { output: 3 }]]));
    expect(gatewayPrices("seam-replace", "m")).toBeUndefined();
    expect(gatewayPrices("seam-replace", "n")).toEqual({ output: 3 });
  });
});
