import { readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { RouteCaptureJson } from "@cloudsigma/taas-core/contracts/route-store";
import { DEFAULT_API_KEY, type RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentTurn,
  gatewayCall,
  type Host,
  type HostConfigInput,
  providerModels,
  REPO_ROOT,
  runAgentTurn,
  startHost,
  tearDownHost,
  writeHostConfig,
} from "../../../e2e/harness/index.ts";
import { hostSessionIdentity, workspaceIdentity } from "./affinity-id.ts";
import { installKeyPath } from "./install-key.ts";

// One affinity id everywhere, whoever pinned it: for each way a caller can pin the id (and for
// none, per host session), the body, the headers, the route TaaS chose and lastRoute all name the
// same value. The TaaS provider plugin owns `cloudsigma` (the optimizer reaches it through the
// stream-decorator seam); `cloudsigma-staging` is configured by hand as its README says, and the
// optimizer decorates it through its own provider hook.

const OPTIMIZER = "openclaw-taas-affinity";
const STAGING_KEY_VAR = "CLOUDSIGMA_STAGING_API_KEY";

/** Each pinned variant is its own model ref, with the pin in that model's config params. */
const PINS = [
  {
    name: "metadata.session_id",
    model: "gpt-5.4",
    metadata: { session_id: "team-a/run-42" },
    expected: "team-a/run-42",
  },
  {
    name: "metadata.sticky_key alone",
    model: "claude-sonnet-4.6",
    metadata: { sticky_key: "sticky-7" },
    expected: "sticky-7",
  },
  {
    name: "a non-ASCII metadata.session_id",
    model: "kimi-k2.6",
    metadata: { session_id: "sessión-ü-9" },
    // Made header-safe the one way every place uses it: the non-ASCII characters are dropped.
    expected: "sessin--9",
  },
] as const;

interface LastRoute {
  found: boolean;
  /** The capture with its published names (the affinity id is `sessionId`). */
  route?: RouteCaptureJson;
}

const metadataOf = (request: RecordedRequest | undefined): Record<string, unknown> => {
  const body = request?.body as { metadata?: Record<string, unknown> } | null | undefined;
  return body?.metadata ?? {};
};

describe("one affinity id everywhere, in the real host", () => {
  let host: Host;
  let workspace: string;
  const installKey = () => readFileSync(installKeyPath(host.state.dir), "utf8").trim();
  const lastRoute = async (params: Record<string, string>) =>
    (await gatewayCall<LastRoute>(host.state, "taas.autorouter.lastRoute", params)).json;

  const turn = async (
    model: string,
    options: { sessionKey?: string } = {},
  ): Promise<{ turn: AgentTurn; call: RecordedRequest | undefined }> => {
    const before = host.emulator.requests().at(-1)?.seq ?? 0;
    const result = await runAgentTurn(host.state, { message: `hello ${model}`, model, ...options });
    const calls = host.emulator
      .requests()
      .filter((request) => request.seq > before && request.path === "/v1/chat/completions");
    expect(calls).toHaveLength(1);
    return { turn: result, call: calls[0] };
  };

  /** The same id in body session_id and sticky_key, both headers, and the emulator's routing. */
  const expectOneId = (call: RecordedRequest | undefined, id: string) => {
    expect(call?.status).toBe(200);
    expect(metadataOf(call)).toMatchObject({
      session_id: id,
      sticky_key: id,
      openclaw_correlation: { session_id: id, sticky_key: id },
      requester_runtime: { session_key: id },
    });
    expect(call?.headers).toMatchObject({ "x-session-id": id, "x-openclaw-session-id": id });
    expect(call?.routingKey).toBe(id);
  };

  const hostConfig = (
    emulatorUrl: string,
    affinityScope: "workspace" | "session",
  ): HostConfigInput => ({
    configureProvider: false,
    extraProviders: {
      // The README's staging recipe: its own base URL and key, the same rows.
      "cloudsigma-staging": {
        baseUrl: emulatorUrl,
        api: "openai-completions",
        apiKey: `\${${STAGING_KEY_VAR}}`,
        models: providerModels(),
      },
    },
    plugins: [
      {
        id: "cloudsigma",
        path: join(REPO_ROOT, "packages", "taas-provider"),
        config: { baseUrl: emulatorUrl, discovery: false },
      },
      {
        id: OPTIMIZER,
        path: join(REPO_ROOT, "packages", "token-cache-optimizer"),
        config: { affinityScope, debug: true },
      },
    ],
    extra: {
      agents: {
        defaults: {
          model: { primary: "cloudsigma/gpt-5.5" },
          models: {
            "cloudsigma/gpt-5.5": {},
            "cloudsigma-staging/gpt-5.5": {},
            ...Object.fromEntries(
              PINS.map((pin) => [
                `cloudsigma/${pin.model}`,
                { params: { metadata: pin.metadata } },
              ]),
            ),
          },
        },
        entries: { main: { workspace } },
      },
    },
  });

  beforeAll(async () => {
    host = await startHost({
      name: "optimizer-pins",
      config: async ({ state, emulator }) => {
        workspace = join(state.dir, "ws-main");
        await mkdir(workspace, { recursive: true });
        return hostConfig(emulator.url, "workspace");
      },
      gateway: {
        token: "pins-token",
        env: { CLOUDSIGMA_API_KEY: DEFAULT_API_KEY, [STAGING_KEY_VAR]: DEFAULT_API_KEY },
      },
    });
  });

  afterAll(() => tearDownHost(host));

  it.each(PINS)(
    "a pinned $name is the one id in body, headers, routing and lastRoute",
    async (pin) => {
      const { call } = await turn(`cloudsigma/${pin.model}`);
      expectOneId(call, pin.expected);
      const bySession = await lastRoute({ sessionId: pin.expected });
      expect(bySession).toMatchObject({
        found: true,
        route: {
          sessionId: pin.expected,
          workspaceSessionId: workspaceIdentity(installKey(), workspace).id,
          requestId: call?.requestId,
        },
      });
      // Filed under the workspace too: the latest call of that workspace, whichever id it carried.
      expect((await lastRoute({ workspaceDir: workspace })).route?.requestId).toBe(call?.requestId);
    },
  );

  it("decorates cloudsigma-staging, configured by hand, with the workspace's id and its own key", async () => {
    const { call } = await turn("cloudsigma-staging/gpt-5.5");
    const id = workspaceIdentity(installKey(), workspace).id;
    // 200: the staging key from the environment reached the emulator, which checks it.
    expectOneId(call, id);
    expect(metadataOf(call)).toMatchObject({
      requester_runtime: { provider: "cloudsigma-staging", model_id: "cloudsigma-staging/gpt-5.5" },
    });
    expect(call?.headers["x-openclaw-agent-id"]).toBe("main");
    expect(await lastRoute({ agentId: "main" })).toMatchObject({
      found: true,
      route: { sessionId: id, provider: "cloudsigma-staging", requestId: call?.requestId },
    });
  });

  it('with affinityScope "session" and no pin, each host session is its own id, found by workspace too', async () => {
    const port = host.gateway?.port ?? 0;
    await host.gateway?.stop();
    await writeHostConfig(host.state, {
      ...hostConfig(host.emulator.url, "session"),
      baseUrl: host.emulator.url,
      models: providerModels(),
      gateway: { port, token: "pins-token" },
    });
    await host.startGateway();
    const workspaceId = workspaceIdentity(installKey(), workspace).id;
    const calls: Array<{ id: string; call: RecordedRequest | undefined }> = [];
    for (const sessionKey of ["agent:main:one", "agent:main:two"]) {
      const { turn: result, call } = await turn("cloudsigma/gpt-5.5", { sessionKey });
      const id = hostSessionIdentity(installKey(), result.sessionId ?? "").id;
      expectOneId(call, id);
      expect(await lastRoute({ sessionId: id })).toMatchObject({
        found: true,
        route: { sessionId: id, workspaceSessionId: workspaceId, requestId: call?.requestId },
      });
      calls.push({ id, call });
    }
    expect(calls[0]?.id).not.toBe(calls[1]?.id);
    expect((await lastRoute({ workspaceDir: workspace })).route).toMatchObject({
      sessionId: calls[1]?.id,
      requestId: calls[1]?.call?.requestId,
    });
  });
});
