import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GatewayPriceReader, writeGatewayPrices } from "./gateway-prices.ts";

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "gateway-prices-"));
});
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

/** Where the owner writes, as the reader finds it. */
const pricesFile = () => new GatewayPriceReader(stateDir).path;

/** What a fresh reader makes of `text` as the file, one model's listing per provider. */
const readAs = (text: string, provider: string, models: readonly string[]) => {
  writeFileSync(pricesFile(), text);
  const reader = new GatewayPriceReader(stateDir);
  return models.map((model) => [model, reader.lookup(provider, model)] as const);
};

describe("the gateway-prices seam", () => {
  it("carries the listed prices to a reader, for the provider and its aliases, kinds left out", async () => {
    await writeGatewayPrices(
      stateDir,
      ["cloudsigma", "cloudsigma-taas"],
      new Map([["gpt-5.5", { input: 1.25, output: 10 }]]),
    );
    const reader = new GatewayPriceReader(stateDir);
    expect(reader.lookup("cloudsigma", "gpt-5.5")).toEqual({ input: 1.25, output: 10 });
    expect(reader.lookup("CloudSigma-TaaS", "gpt-5.5")).toEqual({ input: 1.25, output: 10 });
    expect(reader.lookup("cloudsigma", "not-listed")).toBeUndefined();
    expect(reader.lookup("openai", "gpt-5.5")).toBeUndefined();
  });

  it("keeps the file private to the user", async () => {
    await writeGatewayPrices(stateDir, ["cloudsigma"], new Map());
    const path = pricesFile();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
  });

  it("answers nothing before a listing exists, then sees a new listing once it is written", async () => {
    let now = 0;
    const reader = new GatewayPriceReader(stateDir, { checkEveryMs: 1_000, now: () => now });
    expect(reader.lookup("cloudsigma", "gpt-5.5")).toBeUndefined();
    await writeGatewayPrices(stateDir, ["cloudsigma"], new Map([["gpt-5.5", { input: 1 }]]));
    expect(reader.lookup("cloudsigma", "gpt-5.5")).toBeUndefined(); // looked less than 1 s ago
    now += 1_000;
    expect(reader.lookup("cloudsigma", "gpt-5.5")).toEqual({ input: 1 });
    await writeGatewayPrices(stateDir, ["cloudsigma"], new Map([["kimi-k2.6", { output: 2 }]]));
    now += 1_000;
    expect(reader.lookup("cloudsigma", "gpt-5.5")).toBeUndefined();
    expect(reader.lookup("cloudsigma", "kimi-k2.6")).toEqual({ output: 2 });
    rmSync(pricesFile());
    now += 1_000;
    expect(reader.lookup("cloudsigma", "kimi-k2.6")).toBeUndefined();
  });

  it("refuses an absurd price in the file, naming the model and the kind; the rest stays", () => {
    const lines: string[] = [];
    mkdirSync(dirname(pricesFile()), { recursive: true });
    writeFileSync(
      pricesFile(),
      '{"format":1,"providers":{"cloudsigma":{"big":{"input":1e308,"output":2},"inf":{"input":1e999}}}}',
    );
    const reader = new GatewayPriceReader(stateDir, { warn: (line) => lines.push(line) });
    expect(reader.lookup("cloudsigma", "big")).toEqual({ output: 2 });
    expect(reader.lookup("cloudsigma", "inf")).toBeUndefined();
    expect(lines).toEqual([
      expect.stringMatching(
        /^price refused: input of model "cloudsigma\/big" in the prices saved from the gateway's listing \(cloudsigma\/gateway-prices\.json\) is "1e\+308"/,
      ),
      expect.stringContaining('input of model "cloudsigma/inf"'),
    ]);
  });

  it("reads an unreadable or foreign file as no prices", async () => {
    await writeGatewayPrices(stateDir, ["cloudsigma"], new Map([["m", { input: 1 }]]));
    const written = readFileSync(pricesFile(), "utf8");
    expect(readAs(written, "cloudsigma", ["m"])).toEqual([["m", { input: 1 }]]);
    for (const text of [
      "{",
      "null",
      "not json",
      '{"format":2,"providers":{"cloudsigma":{"m":{"input":1}}}}',
      '{"format":1,"providers":[]}',
    ]) {
      expect(readAs(text, "cloudsigma", ["m"]), text).toEqual([["m", undefined]]);
    }
    const mixed =
      '{"format":1,"providers":{"cloudsigma":{"a":{"input":"x"},"b":{"input":0,"output":3}}}}';
    expect(readAs(mixed, "cloudsigma", ["a", "b"])).toEqual([
      ["a", undefined],
      ["b", { output: 3 }],
    ]);
  });
});
