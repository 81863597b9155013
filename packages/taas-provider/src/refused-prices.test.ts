import type { ModelPrices } from "@cloudsigma/taas-core/usage/model-prices";
import { DEFAULT_CATALOG, type ModelRow } from "@cloudsigma/taas-emulator";
import { afterEach, describe, expect, it } from "vitest";
import {
  captureLogger,
  catalogContext,
  emulators,
  requireProvider,
  settingsFor,
} from "./catalog.test-support.ts";
import { PLUGIN_ID, PROVIDER_ID } from "./identity.ts";
import { onboardWithKey } from "./onboard-method.ts";
import { createCatalogRun, DISCOVERY_CACHE_TTL_MS } from "./provider-catalog.ts";

// A gateway listing `pricing.input: 1e308` once had it priced as stated: the host's cost and
// the ledger's row overflowed. The price is refused where the listing is read; the route stays.

const KEY = "sk-cloudsigma-prices-3c9d04";
const pool = emulators(KEY);
afterEach(() => pool.closeAll());

function absurdRoute(): ModelRow {
  const template = DEFAULT_CATALOG.find((row) => row.capabilities.chat_completions);
  if (!template) throw new Error("the emulator lists no chat row");
  return { ...template, id: "absurd-route", pricing: { input: 1e308, output: 10 } };
}

const UNPRICED_INPUT = { input: 0, output: 10, cacheRead: 0, cacheWrite: 0 };

describe("a listed price past the ceiling", () => {
  it("is named once by the catalog, left out of the prices the ledger reads, the route kept", async () => {
    const running = await pool.start({ models: [absurdRoute()] });
    const published: Array<ModelPrices | undefined> = [];
    const logger = captureLogger();
    let now = 0;
    const run = createCatalogRun({
      settings: settingsFor({ baseUrl: running.url }),
      logger,
      publishPrices: async (_providers, prices) => {
        published.push(prices.get("absurd-route"));
      },
      now: () => (now += DISCOVERY_CACHE_TTL_MS), // every build reads the listing again
    });
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    await run(catalogContext({ apiKey: KEY }));
    const row = provider.models.find((model) => model.id === "absurd-route");
    expect(row?.cost).toEqual(UNPRICED_INPUT);
    expect(published).toEqual([{ output: 10 }, { output: 10 }]);
    expect(logger.warnings).toEqual([
      expect.stringMatching(
        /^cloudsigma: model discovery at .*: price refused: pricing\.input of model "absurd-route" in the gateway's \/models listing is "1e\+308", not a price/,
      ),
    ]);
  });

  it("is written as not stated by onboarding, which says so", async () => {
    const running = await pool.start({ models: [absurdRoute()] });
    const config = {
      plugins: { entries: { [PLUGIN_ID]: { enabled: true, config: { baseUrl: running.url } } } },
    };
    const { config: written, notes } = await onboardWithKey(config, KEY, {
      settings: settingsFor(),
    });
    const rows = written.models?.providers?.[PROVIDER_ID]?.models ?? [];
    expect(rows.find((row) => row.id === "absurd-route")?.cost).toEqual(UNPRICED_INPUT);
    expect(notes).toContain(
      `${PLUGIN_ID}: the gateway's /models listed 1 price(s) above 10000 USD per million tokens ("absurd-route pricing.input"); onboarding wrote them as not stated (0), and the usage ledger prices those kinds as unknown`,
    );
  });
});
