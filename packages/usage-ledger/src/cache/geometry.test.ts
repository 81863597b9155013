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
      },
    }),
  );

  it.each([
    ["openai", "gpt-5", { minTokens: 1024, stepTokens: 128, ttlMs: 600_000 }],
    ["cloudsigma", "gpt-5.5", { minTokens: 1024, stepTokens: 64, ttlMs: 600_000 }],
    ["cloudsigma", "claude-sonnet", { minTokens: 2048, stepTokens: 128, ttlMs: 300_000 }],
    ["CloudSigma", "claude-fable-5", { minTokens: 4096, stepTokens: 128, ttlMs: 600_000 }],
  ])("%s/%s uses the most specific entry over the defaults", (provider, model, geometry) => {
    expect(lookup(provider, model)).toEqual(geometry);
  });
});
