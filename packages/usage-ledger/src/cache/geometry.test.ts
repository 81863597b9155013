import { describe, expect, it } from "vitest";
import { parseLedgerConfig } from "../config.ts";
import { geometryLookup } from "./geometry.ts";

describe("geometryLookup", () => {
  const lookup = geometryLookup(
    parseLedgerConfig({
      cacheTtlSeconds: 600,
      cacheGeometry: {
        "cloudsigma/*": { stepTokens: 64 },
        "cloudsigma/claude-*": { minTokens: 2048, ttlSeconds: 300 },
        "cloudsigma/claude-fable-5": { minTokens: 4096 },
        "cloudsigma/gpt-*": { plateauTokens: 4864 },
        "cloudsigma/deepseek-*": { readyDelaySeconds: 5, plateauTokens: 0 },
      },
    }),
  );
  const learned = { plateauTokens: null, readyDelayMs: 0 };

  it.each([
    ["openai", "gpt-5", { minTokens: 1024, stepTokens: 128, ttlMs: 600_000, ...learned }],
    ["cloudsigma", "kimi-k2.6", { minTokens: 1024, stepTokens: 64, ttlMs: 600_000, ...learned }],
    [
      "cloudsigma",
      "claude-sonnet",
      { minTokens: 2048, stepTokens: 128, ttlMs: 300_000, ...learned },
    ],
    [
      "CloudSigma",
      "claude-fable-5",
      { minTokens: 4096, stepTokens: 128, ttlMs: 600_000, ...learned },
    ],
    [
      "cloudsigma",
      "gpt-5.5",
      { minTokens: 1024, stepTokens: 128, ttlMs: 600_000, plateauTokens: 4864, readyDelayMs: 0 },
    ],
    [
      "cloudsigma",
      "deepseek-v4",
      { minTokens: 1024, stepTokens: 128, ttlMs: 600_000, plateauTokens: 0, readyDelayMs: 5000 },
    ],
  ])("%s/%s uses the most specific entry over the defaults", (provider, model, geometry) => {
    expect(lookup(provider, model)).toEqual(geometry);
  });

  it.each([
    [{ plateauTokens: -1 }, /plateauTokens must be an integer between 0 and 1000000/],
    [{ readyDelaySeconds: 3601 }, /readyDelaySeconds must be an integer between 0 and 3600/],
    [{ readyDelaySeconds: 1.5 }, /readyDelaySeconds must be an integer/],
  ])("refuses %j", (entry, message) => {
    expect(() => parseLedgerConfig({ cacheGeometry: { "cloudsigma/x": entry } })).toThrow(message);
  });
});
