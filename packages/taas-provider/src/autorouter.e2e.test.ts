import { type RecordedRequest, SEED_MODELS } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gatewayCall,
  type Host,
  optimizerPlugin,
  runAgentTurn,
  startHost,
  tearDownHost,
} from "../../../e2e/harness/index.ts";
import { bodyOf, emulatorLog, KEY, PLUGIN_DIR } from "./e2e.test-support.ts";
import { AUTO_MODEL_ID, AUTOROUTER_TARGETS, staticModels } from "./seed-catalog.ts";

// An operator whose default model is the TaaS autorouter, with the token-cache optimizer beside
// the provider: a turn without and with --thinking high, as the emulator saw them and as
// taas.autorouter.lastRoute reports them.

interface LastRoute {
  found: boolean;
  route?: Record<string, unknown>;
}

const autoRow = staticModels().find((row) => row.id === AUTO_MODEL_ID);
const contextWindowOf = (id: string) => SEED_MODELS.find((row) => row.id === id)?.context_window;

/** lastRoute names the call the emulator answered, and the route and rule that answered it. */
function expectAutorouted(
  answer: LastRoute,
  call: RecordedRequest | undefined,
  mode: "agentic" | "reasoning",
  thinkingApplied: boolean,
): void {
  const target = AUTOROUTER_TARGETS[mode];
  expect(answer).toMatchObject({
    found: true,
    route: {
      model: AUTO_MODEL_ID,
      status: 200,
      upstream: call?.replica,
      requestId: call?.requestId,
      autorouted: true,
      autorouterModel: target,
      autorouterMode: mode,
      autorouterAlgorithmSource: "emulator-rules-v1",
      thinkingApplied,
      routedContextWindow: contextWindowOf(target),
    },
  });
}

describe("cloudsigma/auto in the real host", () => {
  let host: Host;
  const requests = emulatorLog(() => host.emulator);

  const turnOnAuto = async (message: string, thinking?: string) => {
    const before = requests.lastSeq();
    const turn = await runAgentTurn(host.state, { message, ...(thinking ? { thinking } : {}) });
    const calls = requests.since(before);
    const route = await gatewayCall<LastRoute>(host.state, "taas.autorouter.lastRoute", {
      agentId: "main",
    });
    return { turn, calls, route: route.json };
  };

  beforeAll(async () => {
    host = await startHost({
      name: "taas-provider-auto",
      config: ({ emulator }) => ({
        configureProvider: false,
        primaryModel: `cloudsigma/${AUTO_MODEL_ID}`,
        plugins: [
          { id: "cloudsigma", path: PLUGIN_DIR, config: { baseUrl: emulator.url } },
          optimizerPlugin(),
        ],
      }),
      gateway: { token: "auto-token", env: { CLOUDSIGMA_API_KEY: KEY } },
    });
  });

  afterAll(() => tearDownHost(host));

  it("without --thinking sends reasoning_effort none: the autorouter routes by the request", async () => {
    const { turn, calls, route } = await turnOnAuto("hello autorouter");
    const [call] = calls;
    expect(calls).toHaveLength(1);
    expect(bodyOf(call)).toMatchObject({
      model: AUTO_MODEL_ID,
      reasoning_effort: "none",
      max_completion_tokens: autoRow?.maxTokens,
    });
    // The host offers tools on every agent turn, so the autorouter picks its agentic route.
    expect(call?.model).toBe(AUTOROUTER_TARGETS.agentic);
    expect(turn.reply).toContain(`TaaS emulator (${AUTOROUTER_TARGETS.agentic})`);
    expectAutorouted(route, call, "agentic", false);
  });

  it("with --thinking high sends reasoning_effort high: the autorouter picks its reasoning route", async () => {
    const { turn, calls, route } = await turnOnAuto("think about this", "high");
    const [call] = calls;
    expect(calls).toHaveLength(1);
    expect(bodyOf(call)).toMatchObject({ model: AUTO_MODEL_ID, reasoning_effort: "high" });
    expect(call?.model).toBe(AUTOROUTER_TARGETS.reasoning);
    expect(turn.reply).toContain(`TaaS emulator (${AUTOROUTER_TARGETS.reasoning})`);
    expectAutorouted(route, call, "reasoning", true);
  });
});
