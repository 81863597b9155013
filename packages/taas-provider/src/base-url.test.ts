import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it } from "vitest";
import { onboardingBaseUrl, resolveBaseUrl, sameEndpoint } from "./base-url.ts";
import { DEFAULT_BASE_URL } from "./identity.ts";

const providerAt = (id: string, baseUrl: string): OpenClawConfig => ({
  models: { providers: { [id]: { baseUrl, models: [] } } },
});

describe("resolveBaseUrl", () => {
  it.each<[string, OpenClawConfig, string | undefined, string]>([
    ["nothing set: production", {}, undefined, DEFAULT_BASE_URL],
    ["plugin config", {}, " https://staging.taas.test/v1 ", "https://staging.taas.test/v1"],
    [
      "host provider entry wins over plugin config",
      providerAt("cloudsigma", "http://127.0.0.1:8787/v1"),
      "https://staging.taas.test/v1",
      "http://127.0.0.1:8787/v1",
    ],
    [
      "the alias key counts as the provider entry",
      providerAt("cloudsigma-taas", "https://alias.taas.test/v1"),
      undefined,
      "https://alias.taas.test/v1",
    ],
    ["blank entries are ignored", providerAt("cloudsigma", "  "), "", DEFAULT_BASE_URL],
  ])("%s", (_label, config, pluginBaseUrl, expected) => {
    expect(resolveBaseUrl(config, pluginBaseUrl)).toBe(expected);
  });
});

describe("onboardingBaseUrl", () => {
  it.each<[string, OpenClawConfig, string | undefined, { baseUrl: string; replaced?: string }]>([
    ["nothing set: production", {}, undefined, { baseUrl: DEFAULT_BASE_URL }],
    [
      "keeps what is written when the plugin sets nothing",
      providerAt("cloudsigma", "https://a.test/v1"),
      undefined,
      { baseUrl: "https://a.test/v1" },
    ],
    [
      "the plugin setting wins and the replaced value is named",
      providerAt("cloudsigma", "https://a.test/v1"),
      "https://b.test/v1",
      { baseUrl: "https://b.test/v1", replaced: "https://a.test/v1" },
    ],
    [
      "the same endpoint spelled differently replaces nothing",
      providerAt("cloudsigma", "HTTPS://A.test/v1/"),
      "https://a.test/v1",
      { baseUrl: "https://a.test/v1" },
    ],
  ])("%s", (_label, config, pluginBaseUrl, expected) => {
    expect(onboardingBaseUrl(config, pluginBaseUrl)).toEqual(expected);
  });
});

describe("sameEndpoint", () => {
  it.each([
    ["https://taas.cloudsigma.com/v1", "https://TAAS.cloudsigma.com/v1/", true],
    ["https://taas.cloudsigma.com/v1?x=1#y", "https://taas.cloudsigma.com/v1", true],
    ["http://127.0.0.1:8787/v1", "https://taas.cloudsigma.com/v1", false],
    ["https://taas.cloudsigma.com/v2", "https://taas.cloudsigma.com/v1", false],
    ["not a url", "not a url", false],
  ])("%s vs %s -> %s", (a, b, same) => {
    expect(sameEndpoint(a, b)).toBe(same);
  });
});
