import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it } from "vitest";
import { textRow } from "./catalog.test-support.ts";
import {
  DEFAULT_BASE_URL,
  DEFAULT_MODEL_ALIAS,
  DEFAULT_MODEL_REF,
  PLUGIN_ID,
  PROVIDER_API,
  PROVIDER_ID,
} from "./identity.ts";
import { applyOnboardingConfig } from "./onboard.ts";
import { readMarks, rowDigest } from "./onboard-marks.ts";
import { staticModels } from "./seed-catalog.ts";

const AT_PRODUCTION = { baseUrl: DEFAULT_BASE_URL };

const liveRow = (id: string) => textRow(id);

const marksOf = (config: OpenClawConfig) => {
  const stored = config.plugins?.entries?.[PLUGIN_ID]?.config?.onboardedRows;
  return readMarks(Array.isArray(stored) ? stored : []);
};
const rowsOf = (config: OpenClawConfig) => config.models?.providers?.[PROVIDER_ID]?.models ?? [];

describe("applyOnboardingConfig", () => {
  it("writes the static catalog, its marks and the CloudSigma TaaS alias into an empty config", () => {
    const { config } = applyOnboardingConfig({}, AT_PRODUCTION);
    expect(config.models?.providers?.[PROVIDER_ID]).toEqual({
      baseUrl: DEFAULT_BASE_URL,
      api: PROVIDER_API,
      models: staticModels(),
    });
    expect(marksOf(config)).toEqual(new Map(staticModels().map((row) => [row.id, rowDigest(row)])));
    expect(config.agents?.defaults?.models?.[DEFAULT_MODEL_REF]).toEqual({
      alias: DEFAULT_MODEL_ALIAS,
    });
  });

  it("writes the endpoint it is given", () => {
    const { config } = applyOnboardingConfig({}, { baseUrl: "http://127.0.0.1:8787/v1" });
    expect(config.models?.providers?.[PROVIDER_ID]?.baseUrl).toBe("http://127.0.0.1:8787/v1");
  });

  it("adds the listed routes after the static rows, marked as onboarding's", () => {
    const { config, rows } = applyOnboardingConfig(
      {},
      { ...AT_PRODUCTION, live: [liveRow("deepseek-v4"), liveRow("gpt-5.5")] },
    );
    expect(rowsOf(config).map((row) => row.id)).toEqual([
      ...staticModels().map((row) => row.id),
      "deepseek-v4",
    ]);
    expect(marksOf(config).get("deepseek-v4")).toBe(rowDigest(liveRow("deepseek-v4")));
    expect(rows.added).toBe(staticModels().length + 1);
  });

  it("writes the listed prices into the static rows it writes, and leaves unlisted ones unpriced", () => {
    const prices = new Map([["gpt-5.5", { input: 1.25, output: 10 }]]);
    const { config } = applyOnboardingConfig({}, { ...AT_PRODUCTION, live: [], prices });
    const cost = (id: string) => rowsOf(config).find((row) => row.id === id)?.cost;
    expect(cost("gpt-5.5")).toEqual({ input: 1.25, output: 10, cacheRead: 0, cacheWrite: 0 });
    expect(cost("kimi-k2.6")).toEqual({ input: 0, output: 0, cacheRead: 0, cacheWrite: 0 });
  });

  it("keeps what the operator authored: rows, aliases, other providers, plugin settings", () => {
    const [seed] = staticModels();
    if (!seed) throw new Error("no seed rows");
    const authoredRow = { ...seed, name: "Mine", maxTokens: 1_000 };
    const before: OpenClawConfig = {
      models: {
        providers: {
          [PROVIDER_ID]: { baseUrl: "https://staging.taas.test/v1", models: [authoredRow] },
          other: { baseUrl: "https://other.test/v1", models: [] },
        },
      },
      plugins: { entries: { [PLUGIN_ID]: { enabled: true, config: { discovery: true } } } },
      agents: { defaults: { models: { [DEFAULT_MODEL_REF]: { alias: "Mine" } } } },
    };
    const { config, rows } = applyOnboardingConfig(before, {
      baseUrl: "https://staging.taas.test/v1",
    });
    expect(rowsOf(config)[0]).toEqual(authoredRow);
    expect(rowsOf(config).map((model) => model.id)).toEqual(
      staticModels().map((model) => model.id),
    );
    expect(marksOf(config).has(seed.id)).toBe(false);
    expect(rows.keptOperatorRows).toEqual([seed.id]);
    expect(config.models?.providers?.other).toEqual(before.models?.providers?.other);
    expect(config.plugins?.entries?.[PLUGIN_ID]).toMatchObject({
      enabled: true,
      config: { discovery: true },
    });
    expect(config.agents?.defaults?.models?.[DEFAULT_MODEL_REF]).toEqual({ alias: "Mine" });
  });

  it("leaves the input config alone and writes no credential field", () => {
    const before: OpenClawConfig = {};
    const { config } = applyOnboardingConfig(before, AT_PRODUCTION);
    expect(before).toEqual({});
    expect(Object.keys(config.models?.providers?.[PROVIDER_ID] ?? {}).sort()).toEqual([
      "api",
      "baseUrl",
      "models",
    ]);
  });

  it("is idempotent", () => {
    const once = applyOnboardingConfig({}, AT_PRODUCTION).config;
    const twice = applyOnboardingConfig(once, AT_PRODUCTION);
    expect(twice.config).toEqual(once);
    expect(twice.rows).toMatchObject({ refreshed: 0, added: 0, removed: [] });
  });
});
