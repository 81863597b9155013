import { DEFAULT_CATALOG, type ModelRow, type ModelsFault } from "@cloudsigma/taas-emulator";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  captureLogger,
  catalogContext,
  emulators,
  requireProvider,
  settingsFor,
} from "./catalog.test-support.ts";
import type { DiscoveryRequest, DiscoveryResult } from "./discovery.ts";
import { DEFAULT_BASE_URL, PROVIDER_API } from "./identity.ts";
import {
  createCatalogRun,
  createStaticCatalogRun,
  DISCOVERY_CACHE_TTL_MS,
} from "./provider-catalog.ts";
import { AUTO_MODEL_ID, isSeedModelId, staticModels } from "./seed-catalog.ts";

const KEY = "sk-cloudsigma-unit-7f3a9c21";
const pool = emulators(KEY);
const emulator = pool.start;

afterEach(async () => {
  vi.restoreAllMocks();
  await pool.closeAll();
});

/** A catalog hook aimed at `baseUrl` the way an operator would: through the plugin config. */
function catalogFor(baseUrl: string, extra: Record<string, unknown> = {}) {
  const logger = captureLogger();
  const run = createCatalogRun({ settings: settingsFor({ baseUrl, ...extra }), logger });
  return { logger, run };
}

const isChat = (row: ModelRow) =>
  (row.type === "chat" || row.type === "vision") && row.capabilities.chat_completions;

/** The static rows with the prices a listing states filled in (nothing else changes). */
function pricedSeeds(listing: readonly ModelRow[]) {
  return staticModels().map((model) => {
    const pricing = listing.find((row) => row.id === model.id)?.pricing;
    return pricing
      ? {
          ...model,
          cost: { input: pricing.input, output: pricing.output, cacheRead: 0, cacheWrite: 0 },
        }
      : model;
  });
}

describe("catalog.run", () => {
  it("without a key returns the static catalog, sends nothing and says why", async () => {
    const discover = vi.fn<(request: DiscoveryRequest) => Promise<DiscoveryResult>>();
    const said: Array<[string, string]> = [];
    const run = createCatalogRun({
      settings: settingsFor(),
      logger: captureLogger(),
      discover,
      warnOnce: (key, line) => said.push([key, line]),
    });
    for (const apiKey of [undefined, "", "secretref-managed"]) {
      const provider = requireProvider(await run(catalogContext({ apiKey })));
      expect(provider).toEqual({
        baseUrl: DEFAULT_BASE_URL,
        api: PROVIDER_API,
        models: staticModels(),
      });
    }
    expect(discover).not.toHaveBeenCalled();
    expect(said).toHaveLength(3);
    expect(said[0]).toEqual([
      "no-key",
      `cloudsigma: model discovery at "${DEFAULT_BASE_URL}" skipped: no usable API key for cloudsigma (set CLOUDSIGMA_API_KEY, or onboard with --cloudsigma-api-key; a key kept as a secret reference is not sent for discovery); using the static catalog`,
    ]);
  });

  it("adds the live chat rows after the static rows, which stay first and gain only the listed prices", async () => {
    const running = await emulator();
    const { run, logger } = catalogFor(running.url);
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    const liveOnly = DEFAULT_CATALOG.filter((row) => isChat(row) && !isSeedModelId(row.id));
    expect(provider.baseUrl).toBe(running.url);
    expect(provider.models).toEqual([
      ...pricedSeeds(DEFAULT_CATALOG),
      ...liveOnly.map((row) => expect.objectContaining({ id: row.id })),
    ]);
    expect(logger.warnings).toEqual([]);
  });

  it("publishes the listed prices for the ledger, leaving out the kinds the listing omits", async () => {
    const running = await emulator();
    const published: Array<[readonly string[], ReadonlyMap<string, unknown>]> = [];
    const run = createCatalogRun({
      settings: settingsFor({ baseUrl: running.url }),
      logger: captureLogger(),
      publishPrices: async (providers, prices) => {
        published.push([providers, prices]);
      },
    });
    await run(catalogContext({ apiKey: KEY }));
    await run(catalogContext({ apiKey: KEY })); // from the cache: nothing new to publish
    expect(published).toHaveLength(1);
    const [providers, prices] = published[0] ?? [[], new Map()];
    expect(providers).toEqual(["cloudsigma", "cloudsigma-taas"]);
    expect([...prices.keys()].sort()).toEqual(
      DEFAULT_CATALOG.filter(isChat)
        .map((row) => row.id)
        .sort(),
    );
    for (const row of DEFAULT_CATALOG.filter(isChat)) {
      expect(prices.get(row.id), row.id).toEqual({
        input: row.pricing.input,
        output: row.pricing.output,
      });
    }
  });

  it("keeps the discovered catalog when the prices cannot be saved, saying so", async () => {
    const running = await emulator();
    const logger = captureLogger();
    const run = createCatalogRun({
      settings: settingsFor({ baseUrl: running.url }),
      logger,
      publishPrices: () => Promise.reject(new Error("EACCES: state dir read-only")),
    });
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    expect(provider.models.length).toBeGreaterThan(staticModels().length);
    expect(logger.warnings).toEqual([
      expect.stringMatching(/could not save the listed prices for the usage ledger \(EACCES/),
    ]);
  });

  it("publishes nothing when discovery fails", async () => {
    const running = await emulator({ modelsFault: "http-500" });
    const publishPrices = vi.fn();
    const run = createCatalogRun({
      settings: settingsFor({ baseUrl: running.url }),
      logger: captureLogger(),
      publishPrices,
    });
    await run(catalogContext({ apiKey: KEY }));
    expect(publishPrices).not.toHaveBeenCalled();
  });

  it("advertises image input for a live row only when it is typed vision with vision: true", async () => {
    const running = await emulator();
    const { run } = catalogFor(running.url);
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    for (const row of DEFAULT_CATALOG.filter((r) => isChat(r) && !isSeedModelId(r.id))) {
      const model = provider.models.find((candidate) => candidate.id === row.id);
      expect(model?.input.includes("image"), row.id).toBe(
        row.type === "vision" && row.capabilities.vision,
      );
    }
  });

  it("reads a plain OpenAI listing: the non-seed ids that name no other kind, text-only", async () => {
    const running = await emulator({ modelsListing: "openai" });
    const { run, logger } = catalogFor(running.url);
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    const added = provider.models.slice(staticModels().length);
    // The emulator's discovery-only rows minus its embedding and rerank models, by id alone.
    const expected = DEFAULT_CATALOG.filter(
      (row) => !isSeedModelId(row.id) && row.type !== "embedding" && row.type !== "rerank",
    );
    expect(added.map((model) => model.id)).toEqual(expected.map((row) => row.id));
    expect(added.every((model) => model.input.join() === "text")).toBe(true);
    expect(logger.warnings).toEqual([]);
  });

  it("keeps seed limits and capabilities when the gateway describes the same id differently, taking only its prices", async () => {
    const drifted = DEFAULT_CATALOG.map((row) =>
      isSeedModelId(row.id)
        ? {
            ...row,
            type: "vision" as const,
            context_window: 1_000,
            max_output_tokens: 10,
            capabilities: { ...row.capabilities, vision: true, reasoning: true },
            pricing: { input: 99, output: 99 },
          }
        : row,
    );
    const running = await emulator({ models: drifted });
    const { run } = catalogFor(running.url);
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    const seeds = pricedSeeds(drifted);
    // The autorouter is not a listed route: TaaS bills the route it picks, so it stays unpriced.
    const listed = seeds.filter((model) => model.id !== AUTO_MODEL_ID);
    expect(listed.every((model) => model.cost.input === 99)).toBe(true);
    expect(seeds.find((model) => model.id === AUTO_MODEL_ID)?.cost).toEqual({
      input: 0,
      output: 0,
      cacheRead: 0,
      cacheWrite: 0,
    });
    expect(provider.models.slice(0, seeds.length)).toEqual(seeds);
    expect(provider.models.filter((model) => isSeedModelId(model.id))).toHaveLength(seeds.length);
  });

  it.each<[ModelsFault, RegExp]>([
    ["http-500", /HTTP 500/],
    ["malformed-json", /not valid JSON/],
    ["empty-list", /no usable chat models/],
    ["slow", /no answer within 500 ms/],
    ["redirect", /refused a redirect/],
  ])("falls back to the static catalog on %s, with one warning", async (fault, reason) => {
    const running = await emulator({ modelsFault: fault, modelsDelayMs: 5_000 });
    const { run, logger } = catalogFor(running.url, { discoveryTimeoutMs: 500 });
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    expect(provider.models).toEqual(staticModels());
    expect(logger.warnings).toEqual([expect.stringMatching(reason)]);
    expect(logger.warnings[0]).toMatch(/using the static catalog/);
  });

  it("uses only the well-formed rows of a wrong-typed list: seed ids, with their prices alone", async () => {
    const running = await emulator({ modelsFault: "wrong-types" });
    const { run, logger } = catalogFor(running.url);
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    // The one well-formed row is the default seed route; a broken row's price is not believed.
    const wellFormed = DEFAULT_CATALOG.filter((row) => row.id === "gpt-5.5");
    expect(provider.models).toEqual(pricedSeeds(wellFormed));
    expect(logger.warnings).toEqual([expect.stringMatching(/skipped \d+ malformed model row/)]);
  });

  it("says the key was rejected when the gateway answers 401", async () => {
    const running = await emulator();
    const { run, logger } = catalogFor(running.url);
    const provider = requireProvider(await run(catalogContext({ apiKey: "sk-some-other-key" })));
    expect(provider.models).toEqual(staticModels());
    expect(logger.warnings).toEqual([
      expect.stringMatching(
        /rejected the API key \(HTTP 401\); using the static catalog; fix: run `openclaw onboard/,
      ),
    ]);
  });

  it("never writes the key to a warning, stdout or stderr, whatever the failure", async () => {
    const printed: string[] = [];
    const capture = (chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, "write").mockImplementation(capture);
    vi.spyOn(process.stderr, "write").mockImplementation(capture);
    const warnings: string[] = [];
    for (const fault of ["http-500", "malformed-json", "redirect", undefined] as const) {
      const running = await emulator(fault ? { modelsFault: fault } : {});
      const { run, logger } = catalogFor(running.url);
      await run(catalogContext({ apiKey: KEY }));
      await run(catalogContext({ apiKey: `${KEY}-wrong` }));
      warnings.push(...logger.warnings);
    }
    const { run, logger } = catalogFor(`http://${KEY}.invalid/v1`);
    await run(catalogContext({ apiKey: KEY }));
    warnings.push(...logger.warnings);
    expect(warnings.length).toBeGreaterThan(0);
    expect([...warnings, ...printed].filter((line) => line.includes(KEY))).toEqual([]);
  });

  it("does not read /models when discovery is switched off", async () => {
    const running = await emulator();
    const { run } = catalogFor(running.url, { discovery: false });
    const provider = requireProvider(await run(catalogContext({ apiKey: KEY })));
    expect(provider.models).toEqual(staticModels());
    expect(running.requests()).toEqual([]);
  });

  it("answers only for its own provider ids", async () => {
    const { run } = catalogFor(DEFAULT_BASE_URL, { discovery: false });
    expect(await run(catalogContext({ apiKey: KEY, providerIds: ["openai"] }))).toBeNull();
    const viaAlias = await run(catalogContext({ apiKey: KEY, providerIds: ["cloudsigma-taas"] }));
    expect(requireProvider(viaAlias).models).toEqual(staticModels());
  });

  it("reuses a successful listing for its lifetime, then asks again", async () => {
    const running = await emulator();
    let now = 1_000;
    const run = createCatalogRun({
      settings: settingsFor({ baseUrl: running.url }),
      logger: captureLogger(),
      now: () => now,
    });
    const modelsCalls = () => running.requests().filter((r) => r.path.endsWith("/models")).length;
    await run(catalogContext({ apiKey: KEY }));
    const cached = requireProvider(await run(catalogContext({ apiKey: KEY })));
    expect(modelsCalls()).toBe(1);
    expect(cached.models.length).toBeGreaterThan(staticModels().length);
    now += DISCOVERY_CACHE_TTL_MS + 1;
    await run(catalogContext({ apiKey: KEY }));
    expect(modelsCalls()).toBe(2);
  });
});

describe("staticCatalog.run", () => {
  it("is the static catalog at the configured endpoint, with no key and no network", async () => {
    const run = createStaticCatalogRun({
      settings: settingsFor({ baseUrl: "http://127.0.0.1:9/v1" }),
    });
    expect(requireProvider(await run(catalogContext()))).toEqual({
      baseUrl: "http://127.0.0.1:9/v1",
      api: PROVIDER_API,
      models: staticModels(),
    });
  });
});
