import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it } from "vitest";
import { resolveBaseUrl } from "./base-url.ts";
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
