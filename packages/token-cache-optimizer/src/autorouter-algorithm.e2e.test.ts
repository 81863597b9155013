import { AUTO_MODEL_ID } from "@cloudsigma/taas-core/autorouter";
import type { RouteCaptureJson } from "@cloudsigma/taas-core/contracts/route-store";
import type { RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  gatewayCall,
  type Host,
  optimizerPlugin,
  providerModels,
  runAgentTurn,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";

// An operator who asks TaaS's autorouter for the "cost" algorithm by config, then for "ttft"
// for one session through taas.autorouter.setAlgorithm: what the emulator (which honours and
// echoes the header when autorouterAlgorithms is on) received, and what lastRoute says.

interface LastRouteAnswer {
  found: boolean;
  route?: RouteCaptureJson;
}

interface GatewayError {
  ok: false;
  error: { code: string; message: string };
}

describe("autorouter algorithm per session in the real host", () => {
  let host: Host;

  const lastRoute = (params: Record<string, string>) =>
    gatewayCall<LastRouteAnswer>(host.state, "taas.autorouter.lastRoute", params);

  /** One turn on the auto model: the chat request the emulator recorded, and its lastRoute capture. */
  const turnOnAuto = async (message: string) => {
    const before = host.emulator.requests().length;
    await runAgentTurn(host.state, { message });
    const [request] = host.emulator
      .requests()
      .slice(before)
      .filter((r: RecordedRequest) => r.path === "/v1/chat/completions");
    if (!request) throw new Error(`no chat request recorded for "${message}"`);
    // The capture is written a moment after the response, off the request path.
    const route = await waitFor(
      `lastRoute of agent main naming ${request.requestId}`,
      async () => {
        const { json } = await lastRoute({ agentId: "main" });
        return json.route?.requestId === request.requestId ? json.route : undefined;
      },
      60_000,
    );
    return { request, route };
  };

  beforeAll(async () => {
    host = await startHost({
      name: "optimizer-algorithm",
      emulator: { autorouterAlgorithms: true },
      config: {
        models: [...providerModels(), { id: AUTO_MODEL_ID, name: AUTO_MODEL_ID }],
        primaryModel: `cloudsigma/${AUTO_MODEL_ID}`,
        plugins: [optimizerPlugin({ autorouterAlgorithm: "cost" })],
      },
      gateway: { token: "algorithm-token" },
    });
  });

  afterAll(() => tearDownHost(host));

  it("asks for the config default, then for the session's algorithm once setAlgorithm set it", async () => {
    const first = await turnOnAuto("which algorithm routes me?");
    expect(first.request.headers["x-taas-autorouter-algorithm"]).toBe("cost");
    expect(first.request.autorouterAlgorithm).toBe("cost");
    expect(first.route).toMatchObject({
      model: AUTO_MODEL_ID,
      autorouted: true,
      autorouterAlgorithm: "cost",
      autorouterAlgorithmFrom: "config",
      autorouterAlgorithmSource: "cost",
    });

    // The session is the affinity id the turn went with, as lastRoute names it.
    const sessionId = first.route.sessionId;
    const refused = await gatewayCall<GatewayError>(host.state, "taas.autorouter.setAlgorithm", {
      sessionId,
      algorithm: "fastest",
    });
    expect(refused.result.code).not.toBe(0);
    expect(refused.json.error.message).toContain(
      '"algorithm" must be one of "best_fit", "price_performance", "savings_curve", "cost", "ttft", "tps", or null to clear',
    );
    const set = await gatewayCall(host.state, "taas.autorouter.setAlgorithm", {
      sessionId,
      algorithm: "ttft",
    });
    expect(set.json).toMatchObject({ query: { sessionId }, algorithm: "ttft", previous: null });

    const second = await turnOnAuto("and now?");
    expect(second.request.headers["x-taas-autorouter-algorithm"]).toBe("ttft");
    expect(second.request.autorouterAlgorithm).toBe("ttft");
    const bySession = await lastRoute({ sessionId });
    expect(bySession.json.route).toMatchObject({
      sessionId,
      requestId: second.request.requestId,
      autorouterAlgorithm: "ttft",
      autorouterAlgorithmFrom: "session",
      autorouterAlgorithmSource: "ttft",
    });
  });
});
