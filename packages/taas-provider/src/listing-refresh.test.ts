import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import { DEFAULT_CATALOG, type ModelRow } from "@cloudsigma/taas-emulator";
import type { OpenClawConfig } from "openclaw/plugin-sdk/plugin-entry";
import { afterEach, describe, expect, it } from "vitest";
import { emulators, settingsFor, textRow } from "./catalog.test-support.ts";
import { PLUGIN_ID, PROVIDER_ID } from "./identity.ts";
import { catalogCost } from "./listed-prices.ts";
import {
  type ListingRefreshDeps,
  refreshListing,
  refreshOnboardedRows,
} from "./listing-refresh.ts";
import type { ModelDefinition } from "./model-types.ts";
import { applyOnboardingConfig } from "./onboard.ts";
import { readMarks, storedMarks } from "./onboard-marks.ts";
import { staticModels } from "./seed-catalog.ts";

const KEY = "sk-cloudsigma-refresh-30c2";
const pool = emulators(KEY);
afterEach(async () => {
  await pool.closeAll();
});

/** A config as onboarding left it against `baseUrl`, from a listing with these prices. */
function onboarded(baseUrl: string, prices: ReadonlyMap<string, ModelPrices>): OpenClawConfig {
  const pointed: OpenClawConfig = {
    plugins: { entries: { [PLUGIN_ID]: { enabled: true, config: { baseUrl } } } },
  };
  return applyOnboardingConfig(pointed, { baseUrl, live: [textRow("zeta-fresh-1")], prices })
    .config;
}

const rowsOf = (config: OpenClawConfig): ModelDefinition[] =>
  config.models?.providers?.[PROVIDER_ID]?.models ?? [];
const costOf = (config: OpenClawConfig, id: string) =>
  rowsOf(config).find((row) => row.id === id)?.cost;
const marksOf = (config: OpenClawConfig) =>
  readMarks(storedMarks(config.plugins?.entries?.[PLUGIN_ID]?.config?.onboardedRows));

describe("refreshOnboardedRows", () => {
  const listing = (prices: Record<string, ModelPrices>) => ({
    live: [textRow("zeta-fresh-1", { cost: catalogCost(prices["zeta-fresh-1"]) })],
    prices: new Map(Object.entries(prices)),
  });

  it("rewrites the rows onboarding wrote with the listing's new prices, and their marks", () => {
    const draft = onboarded(
      "http://127.0.0.1:9/v1",
      new Map([["gpt-5.5", { input: 1, output: 2 }]]),
    );
    const rows = refreshOnboardedRows(
      draft,
      listing({ "gpt-5.5": { input: 3, output: 4 }, "zeta-fresh-1": { input: 1, output: 2 } }),
    );
    expect(rows).toMatchObject({ refreshed: 2, added: 0, removed: [] });
    expect(costOf(draft, "gpt-5.5")).toEqual(catalogCost({ input: 3, output: 4 }));
    expect(costOf(draft, "zeta-fresh-1")).toEqual(catalogCost({ input: 1, output: 2 }));
    // Marked as onboarding's again: the next refresh or re-onboarding may rewrite them.
    expect(
      refreshOnboardedRows(
        structuredClone(draft),
        listing({
          "gpt-5.5": { input: 3, output: 4 },
          "zeta-fresh-1": { input: 1, output: 2 },
        }),
      ),
    ).toBeUndefined();
  });

  it("keeps a row the operator priced, and changes nothing when the listing did not", () => {
    const draft = onboarded("http://127.0.0.1:9/v1", new Map());
    const models = rowsOf(draft);
    const at = models.findIndex((row) => row.id === "gpt-5.5");
    const own = { ...models[at], cost: catalogCost({ input: 9, output: 9 }) } as ModelDefinition;
    models[at] = own;
    const before = structuredClone(draft);
    expect(refreshOnboardedRows(draft, listing({}))).toBeUndefined();
    expect(draft).toEqual(before);
    const rows = refreshOnboardedRows(draft, listing({ "gpt-5.5": { input: 1, output: 2 } }));
    // Only the operator's row states gpt-5.5's price: nothing of onboarding's changed.
    expect(rows).toBeUndefined();
    expect(costOf(draft, "gpt-5.5")).toEqual(own.cost);
  });

  it("writes nothing into a config onboarding never wrote rows into", () => {
    const draft: OpenClawConfig = {
      models: { providers: { [PROVIDER_ID]: { baseUrl: "http://x/v1", models: staticModels() } } },
    };
    expect(refreshOnboardedRows(draft, listing({ "gpt-5.5": { input: 1 } }))).toBeUndefined();
    expect(marksOf(draft).size).toBe(0);
  });
});

describe("refreshListing", () => {
  interface Harness {
    deps: ListingRefreshDeps;
    config: OpenClawConfig;
    saved: Array<ReadonlyMap<string, ModelPrices>>;
    info: string[];
    warnings: string[];
  }

  function harness(config: OpenClawConfig, options: Partial<ListingRefreshDeps> = {}): Harness {
    const out: Harness = {
      deps: {} as ListingRefreshDeps,
      config,
      saved: [],
      info: [],
      warnings: [],
    };
    out.deps = {
      settings: settingsFor(),
      config: () => out.config,
      apiKey: async () => KEY,
      publishPrices: async (_providers, prices) => {
        out.saved.push(prices);
      },
      // As the host's writer: the update runs on the file as it is, and lands when it answers.
      updateConfig: async (update) => {
        const draft = structuredClone(out.config);
        const rows = update(draft);
        if (rows) out.config = draft;
        return rows;
      },
      info: (line) => out.info.push(line),
      warn: (line) => out.warnings.push(line),
      ...options,
    };
    return out;
  }

  const zeta = (pricing: { input: number; output: number }): ModelRow => ({
    id: "zeta-fresh-1",
    object: "model",
    type: "chat",
    context_window: 32_000,
    max_output_tokens: 4_096,
    capabilities: { chat_completions: true, reasoning: false, thinking: false, vision: false },
    pricing,
  });

  it("saves the listed prices and rewrites onboarding's rows when the listing changed a price", async () => {
    const running = await pool.start({
      models: [...DEFAULT_CATALOG, zeta({ input: 3, output: 4 })],
    });
    const before = onboarded(running.url, new Map([["zeta-fresh-1", { input: 1, output: 2 }]]));
    const host = harness(before);
    const outcome = await refreshListing(host.deps);
    expect(outcome).toMatchObject({ read: true, rows: { refreshed: expect.any(Number) } });
    expect(host.saved[0]?.get("zeta-fresh-1")).toEqual({ input: 3, output: 4 });
    expect(costOf(host.config, "zeta-fresh-1")).toEqual(catalogCost({ input: 3, output: 4 }));
    expect(costOf(host.config, "gpt-5.5")).toEqual(
      catalogCost(DEFAULT_CATALOG.find((row) => row.id === "gpt-5.5")?.pricing),
    );
    expect(host.info).toEqual([
      expect.stringMatching(
        /^cloudsigma: the gateway's \/models changed the rows onboarding wrote into models\.providers\.cloudsigma\.models: \d+ refreshed, \d+ new, 0 removed; the host applies them without a restart$/,
      ),
    ]);
    // Read again, nothing changed: the file is not written.
    const again = await refreshListing(host.deps);
    expect(again).toMatchObject({ read: true, rows: undefined });
    expect(host.info).toHaveLength(1);
    expect(running.requests().map((r) => r.status)).toEqual([200, 200]);
  });

  it("reads nothing when discovery is off", async () => {
    const running = await pool.start();
    const host = harness(onboarded(running.url, new Map()), {
      settings: settingsFor({ discovery: false }),
    });
    expect(await refreshListing(host.deps)).toEqual({ read: false, reason: "discovery is off" });
    expect(running.requests()).toEqual([]);
  });

  it("says why, keeps what was read before, and never shows the key, when the listing cannot be read", async () => {
    const running = await pool.start();
    const noKey = harness(onboarded(running.url, new Map()), { apiKey: async () => undefined });
    expect(await refreshListing(noKey.deps)).toMatchObject({ read: false });
    expect(noKey.warnings).toEqual([
      expect.stringContaining(
        `cloudsigma: listing refresh at "${running.url}": skipped: no usable API key for cloudsigma in the gateway`,
      ),
    ]);
    const refused = harness(onboarded(running.url, new Map()), {
      apiKey: async () => `${KEY}-old`,
    });
    const before = structuredClone(refused.config);
    await refreshListing(refused.deps);
    expect(refused.warnings).toEqual([
      expect.stringMatching(
        /listing refresh at ".*": the gateway rejected the API key \(HTTP 401\); prices and rows stay as last read; fix: run `openclaw onboard/,
      ),
    ]);
    expect(refused.saved).toEqual([]);
    expect(refused.config).toEqual(before);
    expect(refused.warnings.join("\n")).not.toContain(KEY);
  });

  it("takes an empty listing for a gateway fault: no route removed, no prices replaced", async () => {
    const running = await pool.start({ modelsFault: "empty-list" });
    const host = harness(onboarded(running.url, new Map()));
    const before = structuredClone(host.config);
    expect(await refreshListing(host.deps)).toMatchObject({ read: false });
    expect(host.config).toEqual(before);
    expect(host.saved).toEqual([]);
    expect(host.warnings).toEqual([
      expect.stringContaining(
        "the gateway listed no usable chat models; prices and rows stay as last read",
      ),
    ]);
  });

  it("says so when the rows cannot be written, and still saves the prices", async () => {
    const running = await pool.start({
      models: [...DEFAULT_CATALOG, zeta({ input: 3, output: 4 })],
    });
    const host = harness(onboarded(running.url, new Map()), {
      updateConfig: () => Promise.reject(new Error("config is read-only")),
    });
    expect(await refreshListing(host.deps)).toMatchObject({ read: true, rows: undefined });
    expect(host.saved).toHaveLength(1);
    expect(host.warnings).toEqual([
      expect.stringContaining("could not rewrite the rows onboarding wrote (config is read-only)"),
    ]);
  });
});
