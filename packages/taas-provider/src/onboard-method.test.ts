import { DEFAULT_CATALOG } from "@cloudsigma/taas-emulator";
import type {
  OpenClawConfig,
  ProviderAuthMethodNonInteractiveContext,
} from "openclaw/plugin-sdk/plugin-entry";
import { afterEach, describe, expect, it } from "vitest";
import { emulators, settingsFor } from "./catalog.test-support.ts";
import { AUTH, DEFAULT_MODEL_REF, PLUGIN_ID, PROVIDER_ID } from "./identity.ts";
import { buildApiKeyAuthMethod, onboardWithKey } from "./onboard-method.ts";
import { isSeedModelId, staticModels } from "./seed-catalog.ts";

const KEY = "sk-cloudsigma-onboard-5b81e0";
const pool = emulators(KEY);
const emulator = pool.start;

afterEach(async () => {
  await pool.closeAll();
});

/** A config whose plugin entry points at `baseUrl`, as an operator sets it before onboarding. */
function pointedAt(baseUrl: string, extra: Record<string, unknown> = {}): OpenClawConfig {
  return {
    plugins: { entries: { [PLUGIN_ID]: { enabled: true, config: { baseUrl, ...extra } } } },
  };
}

const rowIds = (config: OpenClawConfig) =>
  (config.models?.providers?.[PROVIDER_ID]?.models ?? []).map((row) => row.id);
const listedChatIds = DEFAULT_CATALOG.filter(
  (row) => row.capabilities.chat_completions && !isSeedModelId(row.id),
).map((row) => row.id);
const deps = { settings: settingsFor() };

describe("onboardWithKey", () => {
  it("reads /models with the key it was given and writes the listed routes after the static rows", async () => {
    const running = await emulator();
    const { config, notes } = await onboardWithKey(pointedAt(running.url), KEY, deps);
    expect(rowIds(config)).toEqual([...staticModels().map((row) => row.id), ...listedChatIds]);
    expect(config.models?.providers?.[PROVIDER_ID]?.baseUrl).toBe(running.url);
    expect(running.requests().map((r) => [r.path, r.status])).toEqual([["/v1/models", 200]]);
    expect(notes).toEqual([
      expect.stringContaining(
        `wrote ${staticModels().length + listedChatIds.length} catalog row(s)`,
      ),
    ]);
    const listedChats = DEFAULT_CATALOG.filter((row) => row.capabilities.chat_completions);
    expect(notes[0]).toContain(
      `/models listed ${listedChats.length} chat route(s), ${listedChats.length} with prices;`,
    );
  });

  it("keeps the listed prices: in every row it writes, seed rows included, and for the usage ledger", async () => {
    const running = await emulator();
    const saved: Array<[readonly string[], ReadonlyMap<string, unknown>]> = [];
    const { config } = await onboardWithKey(pointedAt(running.url), KEY, {
      ...deps,
      publishPrices: async (providers, prices) => {
        saved.push([providers, prices]);
      },
    });
    const rows = config.models?.providers?.[PROVIDER_ID]?.models ?? [];
    for (const listed of DEFAULT_CATALOG.filter((row) => row.capabilities.chat_completions)) {
      const { input, output } = listed.pricing;
      // 0 is the host's "not stated": the listing states no cache prices.
      expect(rows.find((row) => row.id === listed.id)?.cost, listed.id).toEqual({
        input,
        output,
        cacheRead: 0,
        cacheWrite: 0,
      });
    }
    expect(saved).toHaveLength(1);
    const [providers, prices] = saved[0] ?? [[], new Map()];
    expect(providers).toEqual([PROVIDER_ID, "cloudsigma-taas"]);
    expect(prices.get("gpt-5.5")).toEqual({ input: 1.25, output: 10 });
  });

  it("still writes the rows when the prices cannot be saved, and says so", async () => {
    const running = await emulator();
    const { notes } = await onboardWithKey(pointedAt(running.url), KEY, {
      ...deps,
      publishPrices: () => Promise.reject(new Error("EACCES: permission denied")),
    });
    expect(notes.at(-1)).toBe(
      "cloudsigma: onboarding could not save the listed prices for the usage ledger (EACCES: permission denied); the rows it wrote carry them",
    );
  });

  it("saves no prices when the listing was not read", async () => {
    const running = await emulator();
    let saves = 0;
    await onboardWithKey(pointedAt(running.url), `${KEY}-old`, {
      ...deps,
      publishPrices: async () => {
        saves += 1;
      },
    });
    expect(saves).toBe(0);
  });

  it("writes the static catalog and says why when the gateway rejects the key", async () => {
    const running = await emulator();
    const { config, notes } = await onboardWithKey(pointedAt(running.url), `${KEY}-old`, deps);
    expect(rowIds(config)).toEqual(staticModels().map((row) => row.id));
    expect(notes.at(-1)).toMatch(/rejected the API key \(HTTP 401\); check the key you gave/);
    expect(notes.join("\n")).not.toContain(KEY);
  });

  it("sends nothing when discovery is off, and says so", async () => {
    const running = await emulator();
    const { notes } = await onboardWithKey(pointedAt(running.url, { discovery: false }), KEY, deps);
    expect(running.requests()).toEqual([]);
    expect(notes.at(-1)).toMatch(/discovery is off/);
  });

  it("writes the plugin's endpoint over a different onboarded one and names the value it replaced", async () => {
    const running = await emulator();
    const config: OpenClawConfig = {
      ...pointedAt(running.url),
      models: { providers: { [PROVIDER_ID]: { baseUrl: "https://old.taas.test/v1", models: [] } } },
    };
    const { config: next, notes } = await onboardWithKey(config, KEY, deps);
    expect(next.models?.providers?.[PROVIDER_ID]?.baseUrl).toBe(running.url);
    expect(notes[0]).toBe(
      `cloudsigma: models.providers.cloudsigma.baseUrl was "https://old.taas.test/v1"; onboarding wrote "${running.url}" from plugins.entries.cloudsigma.config.baseUrl (the plugin setting wins at onboarding)`,
    );
  });
});

describe("the api-key method, non-interactive", () => {
  it("stores nothing itself, reads /models with the resolved key, and prints its notes", async () => {
    const running = await emulator();
    const method = buildApiKeyAuthMethod(deps);
    const logged: unknown[] = [];
    const asked: unknown[] = [];
    const config = pointedAt(running.url);
    const ctx: ProviderAuthMethodNonInteractiveContext = {
      authChoice: AUTH.choiceId,
      config,
      baseConfig: config,
      opts: { [AUTH.optionKey]: KEY },
      runtime: { log: (line) => logged.push(line), error: () => {}, exit: () => {} },
      // A key that already sits in the profile store: the host helper then writes no file.
      resolveApiKey: async (params) => {
        asked.push(params);
        return { key: KEY, source: "profile" };
      },
      toApiKeyCredential: () => null,
    };
    const next = await method.runNonInteractive?.(ctx);
    if (!next) throw new Error("runNonInteractive returned no config");
    expect(rowIds(next)).toEqual([...staticModels().map((row) => row.id), ...listedChatIds]);
    expect(next.agents?.defaults?.model).toMatchObject({ primary: DEFAULT_MODEL_REF });
    expect(next.auth?.profiles?.[`${PROVIDER_ID}:default`]).toMatchObject({ mode: "api_key" });
    expect(asked.at(-1)).toMatchObject({ provider: PROVIDER_ID, flagValue: KEY });
    expect(logged).toEqual([
      expect.stringMatching(/^cloudsigma: onboarding wrote \d+ catalog row/),
    ]);
    expect(running.requests().filter((r) => r.path === "/v1/models")).toHaveLength(1);
  });
});
