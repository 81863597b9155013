import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_BASE_URL,
  DEFAULT_MODEL_ALIAS,
  DEFAULT_MODEL_REF,
  PROVIDER_API,
  PROVIDER_ID,
} from "./identity.ts";
import { applyOnboardingConfig } from "./onboard.ts";
import { staticModels } from "./seed-catalog.ts";

describe("applyOnboardingConfig", () => {
  it("writes the static catalog and the CloudSigma TaaS alias into an empty config", () => {
    const next = applyOnboardingConfig({});
    expect(next.models?.providers?.[PROVIDER_ID]).toEqual({
      baseUrl: DEFAULT_BASE_URL,
      api: PROVIDER_API,
      models: staticModels(),
    });
    expect(next.agents?.defaults?.models?.[DEFAULT_MODEL_REF]).toEqual({
      alias: DEFAULT_MODEL_ALIAS,
    });
  });

  it("points the written provider at the plugin's configured endpoint", () => {
    const next = applyOnboardingConfig({}, "http://127.0.0.1:8787/v1");
    expect(next.models?.providers?.[PROVIDER_ID]?.baseUrl).toBe("http://127.0.0.1:8787/v1");
  });

  it("keeps what the operator authored: endpoint, rows, aliases, other providers", () => {
    const [seed] = staticModels();
    if (!seed) throw new Error("no seed rows");
    const authoredRow = { ...seed, name: "Mine", maxTokens: 1_000 };
    const config: OpenClawConfig = {
      models: {
        providers: {
          [PROVIDER_ID]: { baseUrl: "https://staging.taas.test/v1", models: [authoredRow] },
          other: { baseUrl: "https://other.test/v1", models: [] },
        },
      },
      agents: { defaults: { models: { [DEFAULT_MODEL_REF]: { alias: "Mine" } } } },
    };
    const next = applyOnboardingConfig(config);
    const provider = next.models?.providers?.[PROVIDER_ID];
    expect(provider?.baseUrl).toBe("https://staging.taas.test/v1");
    expect(provider?.models[0]).toEqual(authoredRow);
    expect(provider?.models.map((model) => model.id)).toEqual(
      staticModels().map((model) => model.id),
    );
    expect(next.models?.providers?.other).toEqual(config.models?.providers?.other);
    expect(next.agents?.defaults?.models?.[DEFAULT_MODEL_REF]).toEqual({ alias: "Mine" });
  });

  it("leaves the input config alone and writes no credential field", () => {
    const config: OpenClawConfig = {};
    const next = applyOnboardingConfig(config);
    expect(config).toEqual({});
    expect(Object.keys(next.models?.providers?.[PROVIDER_ID] ?? {}).sort()).toEqual([
      "api",
      "baseUrl",
      "models",
    ]);
  });

  it("is idempotent", () => {
    const once = applyOnboardingConfig({});
    expect(applyOnboardingConfig(once)).toEqual(once);
  });
});
