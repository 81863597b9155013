import { GatewayPriceReader } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { DEFAULT_CATALOG, type RunningEmulator } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseJsonOutput,
  type StateDir,
  startHost,
  tearDownHost,
} from "../../../e2e/harness/index.ts";
import providerPkg from "../package.json" with { type: "json" };
import {
  bodyOf,
  emulatorLog,
  isChatRow,
  KEY,
  pathLoadedPlugin,
  readHostConfig,
  recordHost,
  writeHostConfigFile,
} from "./e2e.test-support.ts";
import { staticModels } from "./seed-catalog.ts";

// An operator who loads the plugin from its folder and puts the key in the environment, against
// the TaaS emulator: one emulator, one state dir, six host invocations, all run in order.

const withKey = { CLOUDSIGMA_API_KEY: KEY };

// Prices in USD per million tokens, illustrative (not TaaS's): what this emulator lists for
// gpt-5.5 (input and output only, like TaaS's listing), and what the operator configures later.
const LISTED = { input: 2, output: 9 };
const CONFIGURED = { input: 3, output: 12, cacheRead: 0.3, cacheWrite: 0 };
const CATALOG = DEFAULT_CATALOG.map((row) =>
  row.id === "gpt-5.5" ? { ...row, pricing: LISTED } : row,
);

/** What the host charges for `usage` at `price` (kinds without a price count as 0 there). */
const hostCost = (
  usage: { input: number; output: number; cacheRead: number } | undefined,
  price: { input: number; output: number; cacheRead?: number },
) =>
  ((usage?.input ?? Number.NaN) * price.input +
    (usage?.output ?? Number.NaN) * price.output +
    (usage?.cacheRead ?? Number.NaN) * (price.cacheRead ?? 0)) /
  1e6;

describe("cloudsigma provider in the real host, key in the environment", () => {
  let emulator: RunningEmulator;
  let state: StateDir;
  const host = recordHost();
  const requests = emulatorLog(() => emulator);

  beforeAll(async () => {
    ({ emulator, state } = await startHost({
      name: "taas-provider-env",
      emulator: { models: CATALOG },
      config: ({ emulator }) => ({
        models: [{ id: "gpt-5.5" }],
        configureProvider: false,
        primaryModel: "cloudsigma/gpt-5.5",
        extra: pathLoadedPlugin(emulator.url),
      }),
    }));
  });

  afterAll(() => tearDownHost({ emulator, state }));

  it("loads: one provider, its gateway-start report, its listing refresh and its probe command, nothing else, no diagnostics", async () => {
    const result = await host.cli(state, [
      "plugins",
      "inspect",
      "cloudsigma",
      "--runtime",
      "--json",
    ]);
    expect(parseJsonOutput(result, "plugins inspect")).toMatchObject({
      plugin: { id: "cloudsigma", status: "loaded", providerIds: ["cloudsigma"] },
      // The report of why live discovery cannot run (discovery-startup.ts).
      typedHooks: [{ name: "gateway_start" }],
      tools: [],
      // The gateway's own read of /models (listing-refresh-service.ts).
      services: ["cloudsigma.listing-refresh"],
      gatewayMethods: [],
      // `openclaw cloudsigma probe` (probe/command.ts).
      cliCommands: ["cloudsigma"],
      httpRouteCount: 0,
      diagnostics: [],
    });
  });

  it("lists the static rows plus the discovered chat rows", async () => {
    const before = requests.lastSeq();
    const result = await host.cli(
      state,
      ["models", "list", "--provider", "cloudsigma", "--refresh", "--json"],
      withKey,
    );
    const listed = parseJsonOutput<{ models: { key: string; input: string }[] }>(
      result,
      "models list",
    ).models;
    const keys = listed.map((row) => row.key);
    const staticIds = staticModels().map((model) => model.id);
    const discovered = CATALOG.filter((row) => isChatRow(row) && !staticIds.includes(row.id));
    expect(keys.sort()).toEqual(
      [...staticIds, ...discovered.map((row) => row.id)].map((id) => `cloudsigma/${id}`).sort(),
    );
    for (const row of CATALOG.filter((r) => !isChatRow(r))) {
      expect(keys).not.toContain(`cloudsigma/${row.id}`);
    }
    for (const row of discovered) {
      const image = row.type === "vision" && row.capabilities.vision;
      expect(listed.find((entry) => entry.key === `cloudsigma/${row.id}`)?.input, row.id).toBe(
        image ? "text+image" : "text",
      );
    }
    const listings = requests.since(before, "/v1/models");
    expect(listings.length).toBeGreaterThan(0);
    expect(listings.every((request) => request.status === 200)).toBe(true);
    // The listed prices, as listed (no cache-read price appears from nowhere), saved where the
    // usage ledger reads them: seed rows (which state none) and discovered rows alike.
    const ledgerSide = new GatewayPriceReader(state.dir);
    expect(ledgerSide.lookup("cloudsigma", "gpt-5.5")).toEqual(LISTED);
    for (const row of CATALOG.filter(isChatRow)) {
      expect(ledgerSide.lookup("cloudsigma", row.id), row.id).toEqual(row.pricing);
    }
  });

  it("resolves the cloudsigma-taas alias to the same key", async () => {
    const result = await host.cli(state, ["models", "status", "--json"], withKey);
    const status = parseJsonOutput<{
      auth: { providers: { provider: string; effective: unknown; env?: { source?: string } }[] };
    }>(result, "models status");
    const byId = new Map(status.auth.providers.map((entry) => [entry.provider, entry]));
    expect(byId.get("cloudsigma")?.env?.source).toBe("env: CLOUDSIGMA_API_KEY");
    expect(byId.get("cloudsigma-taas")?.effective).toEqual(byId.get("cloudsigma")?.effective);
  });

  let firstTurnSeq = 0;

  it("streams a reply on cloudsigma/gpt-5.5 with usage, sending prompt_cache_key and its own identity", async () => {
    firstTurnSeq = requests.lastSeq();
    const turn = await host.turn(state, {
      message: "hello from the provider test",
      local: true,
      env: withKey,
    });
    expect(turn.json.meta.agentMeta).toMatchObject({ provider: "cloudsigma", model: "gpt-5.5" });
    expect(turn.reply).toMatch(/^TaaS emulator \(gpt-5\.5\): /);
    const [request] = requests.since(firstTurnSeq);
    expect(request).toMatchObject({ status: 200, model: "gpt-5.5", stream: true });
    expect(bodyOf(request)).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      prompt_cache_key: expect.stringMatching(/^.+:0$/),
    });
    expect(turn.usage?.input).toBe(request?.promptTokens);
    expect(turn.usage?.output).toBe(request?.completionTokens);
    // No optimizer here: the provider sends the host's session id with the agent id itself,
    // since TaaS honours a session id only together with an agent id (native-identity.ts).
    const sessionId = turn.sessionId ?? "";
    expect(sessionId).not.toBe("");
    expect(request?.headers).toMatchObject({
      "x-session-id": sessionId,
      "x-openclaw-session-id": sessionId,
      "x-openclaw-agent-id": "main",
      "x-openclaw-plugin-version": providerPkg.version,
    });
    expect(bodyOf(request).metadata).toMatchObject({
      session_id: sessionId,
      sticky_key: sessionId,
    });
    expect(request).toMatchObject({ routingKey: sessionId, agentId: "main", fallbackReason: null });
  });

  it("completes a tool-call round trip, and the second turn reports cached tokens", async () => {
    const before = requests.lastSeq();
    const turn = await host.turn(state, {
      message: 'Read the soul file. [[tool:read {"path":"SOUL.md"}]]',
      local: true,
      env: withKey,
    });
    const calls = requests.since(before);
    const messages = calls.flatMap(
      (request) => bodyOf(request).messages as { role: string; tool_call_id?: string }[],
    );
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(messages.find((message) => message.role === "tool")?.tool_call_id).toEqual(
      expect.any(String),
    );
    expect(turn.reply).toMatch(/Tool read returned/);
    const cached = calls.reduce((sum, request) => sum + (request.cachedTokens ?? 0), 0);
    expect(cached).toBeGreaterThan(0);
    expect(turn.usage?.cacheRead).toBe(cached);
    // Same session, same prompt_cache_key: the gateway kept it on the first turn's replica.
    const [first] = requests.since(firstTurnSeq);
    expect(new Set(calls.map((request) => request.replica))).toEqual(new Set([first?.replica]));
  });

  it("charges the operator's configured price over the listed one", async () => {
    const config = await readHostConfig(state);
    await writeHostConfigFile(state, {
      ...config,
      models: {
        providers: {
          cloudsigma: {
            baseUrl: emulator.url,
            api: "openai-completions",
            models: [{ id: "gpt-5.5", name: "GPT-5.5", input: ["text"], cost: CONFIGURED }],
          },
        },
      },
    });
    const before = requests.lastSeq();
    const turn = await host.turn(state, {
      message: "a turn at the configured price",
      local: true,
      env: withKey,
    });
    const [request] = requests.since(before);
    expect(request).toMatchObject({ status: 200, model: "gpt-5.5" });
    expect(turn.usage?.cacheRead).toBeGreaterThan(0);
    expect(turn.usage?.cost?.total).toBeCloseTo(hostCost(turn.usage, CONFIGURED), 12);
    expect(turn.usage?.cost?.total).not.toBeCloseTo(hostCost(turn.usage, LISTED), 9);
  });

  it("never prints the key", async () => {
    await host.keepLogs(state);
    expect(host.size).toBeGreaterThan(0);
    expect(host.containing(KEY)).toEqual([]);
  });
});
