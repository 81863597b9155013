import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { publishStreamDecorator } from "@cloudsigma/taas-core/contracts/stream-decorators";
import { DEFAULT_API_KEY, DEFAULT_CATALOG, startEmulator } from "@cloudsigma/taas-emulator";
import type {
  OpenClawConfig,
  OpenClawPluginApi,
  OpenClawPluginService,
  ProviderPlugin,
  ProviderWrapStreamFnContext,
} from "openclaw/plugin-sdk/plugin-entry";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { catalogContext, requireProvider } from "./catalog.test-support.ts";
import { AUTH, DEFAULT_MODEL_REF, PROVIDER_ALIAS, PROVIDER_ID } from "./identity.ts";
import { hostRuntime } from "./register.test-support.ts";
import { type ProviderRegistrationApi, registerTaasProvider } from "./register.ts";
import { staticModels } from "./seed-catalog.ts";

type Mode = OpenClawPluginApi["registrationMode"];
type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;
type EventStream = Awaited<ReturnType<StreamFn>>;
type FinalMessage = Awaited<ReturnType<EventStream["result"]>>;

const MODEL = { id: "gpt-5.5" } as Parameters<StreamFn>[0];

/** An event stream that has ended with `final` (the fields the provider reads). */
function finalStream(final: Pick<FinalMessage, "stopReason" | "errorMessage">): EventStream {
  const message = { ...final } as FinalMessage;
  return {
    result: () => Promise.resolve(message),
    async *[Symbol.asyncIterator]() {},
  };
}

const withdrawals: Array<() => void> = [];
const stateDir = mkdtempSync(join(tmpdir(), "taas-provider-register-"));
afterEach(() => {
  for (const withdraw of withdrawals.splice(0)) withdraw();
});
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

type GatewayStart = (event: { port: number }, ctx: { config?: OpenClawConfig }) => unknown;

interface Registered {
  providers: ProviderPlugin[];
  services: OpenClawPluginService[];
  gatewayStart: GatewayStart[];
  warnings: string[];
  /** The root commands the CLI registrations declared. */
  commands: string[];
}

function registered(
  mode: Mode,
  pluginConfig?: Record<string, unknown>,
  config: OpenClawConfig = {},
  apiKey?: string,
): Registered {
  const out: Registered = {
    providers: [],
    services: [],
    gatewayStart: [],
    warnings: [],
    commands: [],
  };
  const api: ProviderRegistrationApi = {
    registrationMode: mode,
    ...(pluginConfig ? { pluginConfig } : {}),
    config,
    runtime: hostRuntime(config, apiKey),
    logger: { info: () => {}, warn: (line) => out.warnings.push(line), error: () => {} },
    registerProvider: (provider) => out.providers.push(provider),
    registerService: (service) => out.services.push(service),
    registerCli: (_registrar, options) => {
      out.commands.push(...(options?.descriptors ?? []).map((d) => d.name));
    },
    on: (hook, handler) => {
      if (hook === "gateway_start") out.gatewayStart.push(handler as GatewayStart);
    },
  };
  // A fresh "said" record per registration: each test sees its own first line.
  const said = new Set<string>();
  registerTaasProvider(
    api,
    { stateDir: () => stateDir },
    (key) => !said.has(key) && Boolean(said.add(key)),
  );
  return out;
}

const register = (mode: Mode, pluginConfig?: Record<string, unknown>) =>
  registered(mode, pluginConfig).providers;

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

  it("registers only its command while the host collects CLI metadata, the command in every mode", () => {
    const metadata = registered("cli-metadata");
    expect(metadata.providers).toEqual([]);
    expect(metadata.services).toEqual([]);
    expect(metadata.commands).toEqual([PROVIDER_ID]);
    expect(registered("full").commands).toEqual([PROVIDER_ID]);
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

  // Agent runs reach the provider through wrapStreamFn, the host's standalone completions
  // (`infer model run --local`, isolated completions) through wrapSimpleCompletionStreamFn.
  it.each(["wrapStreamFn", "wrapSimpleCompletionStreamFn"] as const)(
    "runs the host's stream, or the decorators suite plugins publish, from %s",
    (hook) => {
      const provider = requireOne(register("full"));
      const wrap = (ctx: ProviderWrapStreamFnContext) => provider[hook]?.(ctx);
      const events = finalStream({ stopReason: "stop" });
      const calls: string[] = [];
      const hostStream: StreamFn = () => {
        calls.push("host");
        return events;
      };
      const ctx = { provider: PROVIDER_ID, modelId: "gpt-5.5", streamFn: hostStream };
      expect(wrap(ctx)?.(MODEL, { messages: [] })).toBe(events);
      const seen: Array<StreamFn | undefined> = [];
      withdrawals.push(
        publishStreamDecorator<ProviderWrapStreamFnContext, StreamFn>(
          { id: "taas-provider-test", order: 0 },
          (c) => {
            seen.push(c.streamFn);
            return () => {
              calls.push("decorated");
              return events;
            };
          },
        ),
      );
      expect(wrap(ctx)?.(MODEL, { messages: [] })).toBe(events);
      expect(seen).toEqual([hostStream]);
      expect(calls).toEqual(["host", "decorated"]);
    },
  );

  it("says once which provider refused the key and how to store a new one", async () => {
    const { providers, warnings } = registered("discovery");
    const provider = requireOne(providers);
    const refused = finalStream({
      stopReason: "error",
      errorMessage: "401 Incorrect API key provided.",
    });
    const ctx = { provider: PROVIDER_ID, modelId: "gpt-5.5", streamFn: () => refused };
    const streamFn = provider.wrapStreamFn?.(ctx);
    for (let turn = 0; turn < 3; turn += 1)
      await (await streamFn?.(MODEL, { messages: [] }))?.result();
    await Promise.resolve();
    expect(warnings).toEqual([
      expect.stringMatching(
        /^cloudsigma: CloudSigma TaaS rejected the API key \(HTTP 401\) for cloudsigma\/gpt-5\.5; fix: run `openclaw onboard .*--cloudsigma-api-key <new key>`, then the `openclaw models auth activate/,
      ),
    ]);
  });

  it.each<Pick<FinalMessage, "stopReason" | "errorMessage">>([
    { stopReason: "stop" },
    { stopReason: "error", errorMessage: "429 Too many requests" },
    { stopReason: "error", errorMessage: "500 upstream 401 seen" },
  ])("says nothing about the key when a call ends with %j", async (final) => {
    const { providers, warnings } = registered("discovery");
    const ctx = { provider: PROVIDER_ID, modelId: "gpt-5.5", streamFn: () => finalStream(final) };
    await (await requireOne(providers).wrapStreamFn?.(ctx)?.(MODEL, { messages: [] }))?.result();
    await Promise.resolve();
    expect(warnings).toEqual([]);
  });

  it("reports at gateway start that discovery cannot run for an endpoint the host will not ask", async () => {
    const config: OpenClawConfig = {
      models: {
        providers: {
          [PROVIDER_ID]: { baseUrl: "http://127.0.0.1:8787/v1", models: staticModels() },
        },
      },
    };
    const { gatewayStart, warnings } = registered("full", { baseUrl: "http://127.0.0.1:8787/v1" });
    expect(gatewayStart).toHaveLength(1);
    await gatewayStart[0]?.({ port: 1 }, { config });
    expect(warnings).toEqual([
      expect.stringMatching(
        /^cloudsigma: the host's live model discovery does not run: models\.providers\.cloudsigma\.baseUrl "http:\/\/127\.0\.0\.1:8787\/v1" is not the catalog endpoint/,
      ),
    ]);
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
