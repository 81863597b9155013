import type { ProbedGeometry } from "@cloudsigma/taas-core/contracts/probed-geometry";
import { describe, expect, it } from "vitest";
import { parseLedgerConfig } from "../config.ts";
import { geometryLookup, geometryResolver } from "./geometry.ts";

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

describe("geometryResolver: configured, probed or default", () => {
  const probedAt = "2026-12-08T01:00:00.000Z";
  const measured: ProbedGeometry = {
    probedAt,
    minTokens: 2048,
    stepTokens: 64,
    plateauTokens: 4864,
    searchedTokens: 6148,
    readyDelayMs: 5000,
    ttlMs: null,
    reportsWrites: false,
  };
  const resolve = geometryResolver(
    parseLedgerConfig({
      cacheTtlSeconds: 600,
      cacheGeometry: { "cloudsigma/claude-*": { minTokens: 4096 } },
    }),
    (provider) => (provider === "cloudsigma" ? measured : undefined),
  );

  it("takes a model's probed geometry where the config has no entry, keeping the default TTL when no lifetime was measured", () => {
    expect(resolve("cloudsigma", "gpt-5.5")).toEqual({
      geometry: {
        minTokens: 2048,
        stepTokens: 64,
        ttlMs: 600_000,
        plateauTokens: 4864,
        readyDelayMs: 5000,
      },
      source: { kind: "probed", probedAt },
    });
  });

  it("lets a cacheGeometry entry win over a probe, and says which key", () => {
    expect(resolve("cloudsigma", "claude-opus-4.8")).toEqual({
      geometry: {
        minTokens: 4096,
        stepTokens: 128,
        ttlMs: 600_000,
        plateauTokens: null,
        readyDelayMs: 0,
      },
      source: { kind: "configured", key: "cloudsigma/claude-*" },
    });
  });

  it("falls back to the defaults without either", () => {
    expect(resolve("openai", "gpt-5.5")).toEqual({
      geometry: {
        minTokens: 1024,
        stepTokens: 128,
        ttlMs: 600_000,
        plateauTokens: null,
        readyDelayMs: 0,
      },
      source: { kind: "default" },
    });
  });

  it("uses a probed lifetime when one was measured", () => {
    const withTtl = geometryResolver(parseLedgerConfig({}), () => ({
      ...measured,
      ttlMs: 312_000,
    }));
    expect(withTtl("cloudsigma", "x").geometry.ttlMs).toBe(312_000);
  });
});
