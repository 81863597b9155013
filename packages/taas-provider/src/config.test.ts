import { ConfigError } from "@cloudsigma/taas-core/config";
import { describe, expect, it } from "vitest";
import { parseProviderConfig } from "./config.ts";
import { DEFAULT_DISCOVERY_TIMEOUT_MS } from "./discovery.ts";

describe("parseProviderConfig", () => {
  it("fills defaults: production endpoint, discovery on, the 5 s budget, an hourly listing refresh, no onboarded rows", () => {
    expect(parseProviderConfig(undefined)).toEqual({
      baseUrl: undefined,
      discovery: true,
      discoveryTimeoutMs: DEFAULT_DISCOVERY_TIMEOUT_MS,
      listingRefreshMinutes: 60,
      onboardedRows: [],
    });
  });

  it("keeps an endpoint override and a custom budget", () => {
    expect(
      parseProviderConfig({ baseUrl: "http://127.0.0.1:8787/v1", discoveryTimeoutMs: 1500 }),
    ).toMatchObject({ baseUrl: "http://127.0.0.1:8787/v1", discoveryTimeoutMs: 1500 });
  });

  it.each([
    [{ apiKey: "sk-123" }, "apiKey"],
    [{ discoveryTimeoutMs: 10 }, "discoveryTimeoutMs"],
    [{ discovery: "yes" }, "discovery"],
    [{ listingRefreshMinutes: -1 }, "listingRefreshMinutes"],
    [{ listingRefreshMinutes: 10_081 }, "listingRefreshMinutes"],
    [{ baseUrl: 42 }, "baseUrl"],
    [{ onboardedRows: "gpt-5.5#abc" }, "onboardedRows"],
  ])("rejects %j naming the key", (raw, key) => {
    expect(() => parseProviderConfig(raw)).toThrow(ConfigError);
    expect(() => parseProviderConfig(raw)).toThrow(key);
  });

  it("never echoes a value that looks like a secret when rejecting an unknown key", () => {
    expect(() => parseProviderConfig({ apiKey: "sk-very-secret-value" })).not.toThrow(
      /sk-very-secret-value/,
    );
  });
});
