import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayPriceReader } from "@cloudsigma/taas-core/gateway-prices";
import { publishStreamDecorator } from "@cloudsigma/taas-core/stream-decorators";
import { DEFAULT_API_KEY, DEFAULT_CATALOG, startEmulator } from "@cloudsigma/taas-emulator";
import type {
  OpenClawPluginApi,
  ProviderPlugin,
  ProviderWrapStreamFnContext,
} from "openclaw/plugin-sdk/plugin-entry";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { catalogContext, requireProvider } from "./catalog.test-support.ts";
import { AUTH, DEFAULT_MODEL_REF, PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";
import { type ProviderRegistrationApi, registerTaasProvider } from "./register.ts";
import { staticModels } from "./seed-catalog.ts";

type Mode = OpenClawPluginApi["registrationMode"];
type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;

const withdrawals: Array<() => void> = [];
const stateDir = mkdtempSync(join(tmpdir(), "taas-provider-register-"));
afterEach(() => {
  for (const withdraw of withdrawals.splice(0)) withdraw();
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function register(mode: Mode, pluginConfig?: Record<string, unknown>): ProviderPlugin[] {
  const providers: ProviderPlugin[] = [];
  const api: ProviderRegistrationApi = {
    registrationMode: mode,
    ...(pluginConfig ? { pluginConfig } : {}),
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    registerProvider: (provider) => providers.push(provider),
  };
  registerTaasProvider(api, { stateDir: () => stateDir });
  return providers;
}

function requireOne(providers: ProviderPlugin[]): ProviderPlugin {
  const [provider] = providers;
  if (!provider || providers.length !== 1) throw new Error(`got ${providers.length} providers`);
  return provider;
}

describe("registerTaasProvider", () => {
  it.each<Mode>(["full", "discovery", "setup-only", "setup-runtime", "tool-discovery"])(
    "registers the cloudsigma provider in %s mode",
    (mode) => {
      expect(requireOne(register(mode))).toMatchObject({
        id: PROVIDER_ID,
        aliases: [PROVIDER_ALIAS],
        envVars: [AUTH.envVar],
      });
    },
  );

  it("registers nothing while the host only collects CLI metadata", () => {
    expect(register("cli-metadata")).toEqual([]);
  });

  it("offers one api-key auth choice labelled for onboarding, defaulting to gpt-5.5", () => {
    const { auth } = requireOne(register("full"));
    expect(auth).toHaveLength(1);
    expect(auth[0]).toMatchObject({
      id: AUTH.methodId,
      label: AUTH.choiceLabel,
      kind: "api_key",
      starterModel: DEFAULT_MODEL_REF,
      wizard: { choiceId: AUTH.choiceId, groupId: PROVIDER_ID },
    });
  });

  it("lists the static catalog offline and at the configured endpoint", async () => {
    const provider = requireOne(register("discovery", { baseUrl: "http://127.0.0.1:9/v1" }));
    const offline = await provider.staticCatalog?.run(catalogContext());
    expect(requireProvider(offline)).toMatchObject({
      baseUrl: "http://127.0.0.1:9/v1",
      models: staticModels(),
    });
  });

  it("replays history with the OpenAI-compatible policy (strict tool-call ids)", () => {
    const provider = requireOne(register("full"));
    const policy = provider.buildReplayPolicy?.({
      provider: PROVIDER_ID,
      modelId: "gpt-5.5",
      modelApi: "openai-completions",
    });
    expect(policy).toMatchObject({ sanitizeToolCallIds: true, toolCallIdMode: "strict" });
    expect(provider.normalizeToolSchemas).toBeTypeOf("function");
  });

  it("runs the host's stream unchanged, or through the decorators suite plugins publish", () => {
    const provider = requireOne(register("full"));
    const hostStream: StreamFn = () => {
      throw new Error("host stream");
    };
    const decorated: StreamFn = () => {
      throw new Error("decorated stream");
    };
    const ctx = { provider: PROVIDER_ID, modelId: "gpt-5.5", streamFn: hostStream };
    expect(provider.wrapStreamFn?.(ctx)).toBe(hostStream);
    const seen: Array<StreamFn | undefined> = [];
    withdrawals.push(
      publishStreamDecorator<ProviderWrapStreamFnContext, StreamFn>(
        { id: "taas-provider-test", order: 0 },
        (c) => {
          seen.push(c.streamFn);
          return decorated;
        },
      ),
    );
    expect(provider.wrapStreamFn?.(ctx)).toBe(decorated);
    expect(seen).toEqual([hostStream]);
  });

  it("starts cloudsigma/auto with thinking off, so the autorouter decides unless asked", () => {
    const provider = requireOne(register("discovery"));
    const profile = provider.resolveThinkingProfile?.({ provider: PROVIDER_ID, modelId: "auto" });
    expect(profile?.defaultLevel).toBe("off");
    expect(
      provider.resolveThinkingProfile?.({ provider: PROVIDER_ID, modelId: "gpt-5.5" }),
    ).toBeUndefined();
  });

  it("saves the prices a discovery listed where the usage ledger reads them", async () => {
    const emulator = await startEmulator();
    try {
      const provider = requireOne(register("full", { baseUrl: emulator.url }));
      await provider.catalog?.run(catalogContext({ apiKey: DEFAULT_API_KEY }));
      const ledgerSide = new GatewayPriceReader(stateDir);
      for (const row of DEFAULT_CATALOG.filter((r) => r.capabilities.chat_completions)) {
        // The listing states input and output only: no cache prices appear from nowhere.
        expect(ledgerSide.lookup("cloudsigma", row.id), row.id).toEqual(row.pricing);
        expect(ledgerSide.lookup("cloudsigma-taas", row.id), row.id).toEqual(row.pricing);
      }
    } finally {
      await emulator.close();
    }
  });

  it("rejects an unknown config key before registering anything", () => {
    expect(() => register("full", { apiKey: "sk-x" })).toThrow(/apiKey/);
  });
});
