import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { describe, expect, it } from "vitest";
import { deriveAffinityIdentity, workspaceIdentity } from "./affinity-id.ts";
import { call, fakeTransport, TEST_ID_KEY, wrapperHarness } from "./stream-wrapper.test-support.ts";

// TaaS honours an affinity id only together with an agent id; an id alone is routed as a new
// session (fallback_reason=missing_agent_and_session). These tests read the wire: every
// decorated call carries both, whatever the host handed the hook.

const basePayload = () => ({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });
const STATE_DIR = "/var/lib/openclaw-test-state";

interface Wire {
  sessionHeader: string | undefined;
  agentHeader: string | undefined;
  bodySessionId: unknown;
  bodyAgentId: unknown;
}

const wireOf = (call: { body: string; headers: Record<string, string> } | undefined): Wire => {
  const metadata = (JSON.parse(call?.body ?? "{}") as { metadata?: Record<string, unknown> })
    .metadata;
  const correlation = metadata?.openclaw_correlation as Record<string, unknown> | undefined;
  return {
    sessionHeader: call?.headers["X-Session-Id"],
    agentHeader: call?.headers["X-OpenClaw-Agent-Id"],
    bodySessionId: metadata?.session_id,
    bodyAgentId: correlation?.agent_id,
  };
};

describe("every decorated call carries a session id and an agent id", () => {
  const workspaceId = workspaceIdentity(TEST_ID_KEY, "/w/main").id;
  const stateDirId = deriveAffinityIdentity({ key: TEST_ID_KEY, env: {}, stateDir: STATE_DIR }).id;

  it.each<{
    path: string;
    ctx: Partial<ProviderWrapStreamFnContext>;
    session: string;
    agent: string;
  }>([
    {
      path: "an agent turn: the host names agent and workspace",
      ctx: { agentId: "main", workspaceDir: "/w/main" },
      session: workspaceId,
      agent: "main",
    },
    {
      path: "a standalone completion: no agent, no workspace; the config's system agent",
      ctx: { config: { agents: { defaults: { systemAgent: { agentId: "ops" } } } } },
      session: stateDirId,
      agent: "ops",
    },
    {
      path: "a standalone completion with the only configured agent",
      ctx: { config: { agents: { entries: { solo: {} } } } },
      session: stateDirId,
      agent: "solo",
    },
    {
      path: "a standalone completion, several agents and no owner: the host's default id",
      ctx: { config: { agents: { entries: { main: {}, second: {} } } } },
      session: stateDirId,
      agent: "main",
    },
    {
      path: "a workspace but no agent id",
      ctx: { workspaceDir: "/w/main", config: {} },
      session: workspaceId,
      agent: "main",
    },
  ])("$path", async ({ ctx, session, agent }) => {
    const { wrap } = wrapperHarness({ stateDir: STATE_DIR });
    const transport = fakeTransport(basePayload);
    // Standalone completions carry no request id and no host session id.
    await call(wrap({ streamFn: transport.streamFn, ...ctx }), {});
    expect(wireOf(transport.calls[0])).toEqual({
      sessionHeader: session,
      agentHeader: agent,
      bodySessionId: session,
      bodyAgentId: agent,
    });
  });

  it("names where the agent id came from in the debug line", () => {
    const harness = wrapperHarness();
    const transport = fakeTransport(basePayload);
    harness.wrap({ streamFn: transport.streamFn, agentId: "main", workspaceDir: "/w" });
    harness.wrap({ streamFn: transport.streamFn, config: { agents: { entries: { ops: {} } } } });
    harness.wrap({ streamFn: transport.streamFn });
    expect(harness.debugLines.map((line) => /agent=(\S+ \(\w+\))/.exec(line)?.[1])).toEqual([
      "main (host)",
      "ops (config)",
      "main (default)",
    ]);
  });

  it("a caller's pinned id still travels with the agent id", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(basePayload);
    await call(
      wrap({
        streamFn: transport.streamFn,
        extraParams: { metadata: { session_id: "team-a/run-42" } },
        config: { agents: { entries: { solo: {} } } },
      }),
      {},
    );
    expect(wireOf(transport.calls[0])).toEqual({
      sessionHeader: "team-a/run-42",
      agentHeader: "solo",
      bodySessionId: "team-a/run-42",
      bodyAgentId: "solo",
    });
  });

  it("the route capture files the call under the agent it was sent with", async () => {
    const harness = wrapperHarness();
    const transport = fakeTransport(basePayload);
    await call(
      harness.wrap({ streamFn: transport.streamFn, config: { agents: { entries: { ops: {} } } } }),
      {},
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.captures[0]?.agentId).toBe("ops");
  });
});
