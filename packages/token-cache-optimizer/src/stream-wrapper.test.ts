import { describe, expect, it } from "vitest";
import { workspaceIdentity } from "./affinity-id.ts";
import { REDACTION_POLICY } from "./envelope.ts";
import {
  call,
  fakeTransport,
  model,
  TEST_ID_KEY,
  wrapperHarness,
} from "./stream-wrapper.test-support.ts";

const basePayload = () => ({ model: "gpt-5.5", messages: [{ role: "user", content: "hi" }] });
const parse = (body: string) =>
  JSON.parse(body) as { metadata?: Record<string, Record<string, unknown> | string> };

describe("affinity stream wrapper", () => {
  it("puts one id in body and headers, with the documented envelope", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(basePayload);
    const streamFn = wrap({
      streamFn: transport.streamFn,
      workspaceDir: "/home/op/openclaw-home/workspace-a",
      agentId: "agent-a",
    });
    await call(streamFn, { requestId: "run-1:model:1", sessionId: "host-session" });
    const [sent] = transport.calls;
    const id = workspaceIdentity(TEST_ID_KEY, "/home/op/openclaw-home/workspace-a").id;
    const metadata = parse(sent?.body ?? "").metadata ?? {};
    expect(metadata.session_id).toBe(id);
    expect(metadata.sticky_key).toBe(id);
    expect(sent?.headers).toMatchObject({
      "X-Session-Id": id,
      "X-OpenClaw-Session-Id": id,
      "X-OpenClaw-Turn-Id": "run-1",
      "X-OpenClaw-Attempt": "1",
      "X-OpenClaw-Agent-Id": "agent-a",
      "X-OpenClaw-Plugin-Version": "9.9.9",
    });
    expect(metadata.requester_runtime).toMatchObject({
      schema_version: "2026-06-04",
      source: "openclaw-taas-affinity",
      session_key: id,
      openclaw_session_id: id,
      provider: "cloudsigma",
      model_id: "cloudsigma/gpt-5.5",
      tool_execution: "direction_2_gateway",
      metadata_classification: {
        identifiers: "hashed",
        repository: "name_branch_only",
        local_paths: "omitted_by_default",
      },
      redaction_policy: REDACTION_POLICY,
    });
    expect(metadata.openclaw_correlation).toEqual({
      schema_version: "2026-06-05",
      source: "openclaw-taas-affinity",
      plugin_version: "9.9.9",
      session_id: id,
      sticky_key: id,
      session_source_hint: expect.stringMatching(/^source:[0-9a-f]{16}$/),
      agent_id: "agent-a",
      provider: "cloudsigma",
      model_id: "cloudsigma/gpt-5.5",
    });
    const runtime = metadata.requester_runtime as Record<string, unknown>;
    for (const forbidden of [
      "available_bridges",
      "capture_mode",
      "workspace_dir",
      "agent_dir",
      "repo_root_hint",
    ]) {
      expect(runtime).not.toHaveProperty(forbidden);
    }
    expect(sent?.body).not.toMatch(
      /bridge_capable|requester\.tool\.invoke|openclaw\.tool\.invoke|bridge\.ping|bridge\.echo/,
    );
    expect(sent?.body).not.toContain("/home/op");
  });

  it("keeps the turn id across the calls of a run and counts runner retries", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(basePayload);
    const streamFn = wrap({ streamFn: transport.streamFn, workspaceDir: "/w" });
    for (const requestId of [
      "r1:model:1",
      "r1:model:2",
      "r1:model:1",
      "r1:model:2",
      "r2:model:1",
    ]) {
      await call(streamFn, { requestId });
    }
    expect(
      transport.calls.map((c) => [
        c.headers["X-OpenClaw-Turn-Id"],
        c.headers["X-OpenClaw-Attempt"],
      ]),
    ).toEqual([
      ["r1", "1"],
      ["r1", "1"],
      ["r1", "2"],
      ["r1", "2"],
      ["r2", "1"],
    ]);
    const ids = new Set(transport.calls.map((c) => c.headers["X-Session-Id"]));
    expect(ids.size).toBe(1);
  });

  it("gives different agents (workspaces) different ids and the same agent the same id", async () => {
    const ids: string[] = [];
    for (const dir of ["/w/agent-a", "/w/agent-b", "/w/agent-a/"]) {
      const { wrap } = wrapperHarness();
      const transport = fakeTransport(basePayload);
      await call(wrap({ streamFn: transport.streamFn, workspaceDir: dir }), {});
      ids.push(transport.calls[0]?.headers["X-Session-Id"] ?? "");
    }
    expect(ids[0]).not.toBe(ids[1]);
    expect(ids[0]).toBe(ids[2]);
  });

  it("uses one id per host session in session scope", async () => {
    const { wrap } = wrapperHarness({ config: { affinityScope: "session" } });
    const transport = fakeTransport(basePayload);
    const streamFn = wrap({ streamFn: transport.streamFn, workspaceDir: "/w" });
    await call(streamFn, { sessionId: "s-1" });
    await call(streamFn, { sessionId: "s-1" });
    await call(streamFn, { sessionId: "s-2" });
    const ids = transport.calls.map((c) => c.headers["X-Session-Id"]);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[0]).not.toBe(ids[2]);
    expect(transport.calls.map((c) => parse(c.body).metadata?.session_id)).toEqual(ids);
  });

  it("leaves other providers byte for byte untouched", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(basePayload);
    const untouched = wrap({
      streamFn: transport.streamFn,
      provider: "openai",
      workspaceDir: "/w",
    });
    expect(untouched).toBe(transport.streamFn);
    const streamFn = wrap({ streamFn: transport.streamFn, workspaceDir: "/w" });
    await call(streamFn, { headers: { traceparent: "t" } }, model("openai", "gpt-x"));
    expect(transport.calls[0]).toEqual({
      body: JSON.stringify(basePayload()),
      headers: { traceparent: "t" },
    });
  });

  it("does not wrap its own wrapper twice", () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(basePayload);
    const once = wrap({ streamFn: transport.streamFn, workspaceDir: "/w" });
    expect(wrap({ streamFn: once, workspaceDir: "/w" })).toBe(once);
  });

  // The host hands onResponse accepted (2xx) responses only; see README "Rejected calls".
  it("captures the route from the response's status and headers", async () => {
    const harness = wrapperHarness();
    const transport = fakeTransport(basePayload, {
      status: 200,
      headers: {
        "X-Request-Id": "req_9",
        "x-taas-upstream": "replica-3",
        "x-taas-autorouted": "true",
        "x-taas-autorouter-model": "gpt-5.4",
        "x-taas-routed-context-window": "1050000",
      },
    });
    await call(harness.wrap({ streamFn: transport.streamFn, workspaceDir: "/w", agentId: "a" }), {
      requestId: "r:model:1",
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.captures).toHaveLength(1);
    expect(harness.captures[0]).toMatchObject({
      status: 200,
      requestId: "req_9",
      upstream: "replica-3",
      autorouted: true,
      autorouterModel: "gpt-5.4",
      routedContextWindow: 1050000,
      agentId: "a",
      callId: "r:model:1",
      turnId: "r",
      affinityId: workspaceIdentity(TEST_ID_KEY, "/w").id,
    });
    expect(harness.debugLines.some((line) => line.includes("upstream=replica-3"))).toBe(true);
  });

  it("digests the prompt exactly as sent, after the response, under the call's id", async () => {
    const harness = wrapperHarness();
    const body = () => ({
      model: "gpt-5.5",
      tools: [{ type: "function", function: { name: "read" } }],
      messages: [
        { role: "system", content: "S".repeat(50_000) },
        { role: "user", content: "hi" },
      ],
    });
    const transport = fakeTransport(body);
    await call(harness.wrap({ streamFn: transport.streamFn, workspaceDir: "/w" }), {
      requestId: "r:model:2",
    });
    // Nothing is digested while the call is on its way; the batch write does it.
    expect(harness.prefixes).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.prefixes).toHaveLength(1);
    const [stored] = harness.prefixes;
    expect(stored?.callId).toBe("r:model:2");
    expect(stored?.prefix.tools).toBe(1);
    expect(stored?.prefix.system).toBe(1);
    const sent = JSON.parse(transport.calls[0]?.body ?? "{}") as { messages: unknown[] };
    // The last message's length is the patched body's, as the upstream received it.
    expect(stored?.prefix.segments.map(([, chars]) => chars)).toEqual([
      JSON.stringify(body().tools[0]).length,
      ...sent.messages.map((message) => JSON.stringify(message).length),
    ]);
  });

  it("reads the upstream from the configured response header", async () => {
    const harness = wrapperHarness({ config: { upstreamHeader: "X-Backend-Node" } });
    const transport = fakeTransport(basePayload, {
      status: 200,
      headers: { "x-backend-node": "node-7", "x-taas-upstream": "replica-1" },
    });
    await call(harness.wrap({ streamFn: transport.streamFn, workspaceDir: "/w" }), {
      requestId: "r:model:3",
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(harness.captures[0]?.upstream).toBe("node-7");
  });

  it("only observes with sendHints false: the wire is untouched, the route and digests are still kept", async () => {
    const harness = wrapperHarness({ config: { sendHints: false } });
    const transport = fakeTransport(basePayload, {
      status: 200,
      headers: { "x-taas-upstream": "replica-2" },
    });
    await call(harness.wrap({ streamFn: transport.streamFn, workspaceDir: "/w" }), {
      requestId: "r:model:4",
      headers: { "X-Caller": "1" },
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(transport.calls[0]?.body).toBe(JSON.stringify(basePayload()));
    expect(transport.calls[0]?.headers).toEqual({ "X-Caller": "1" });
    expect(harness.captures[0]).toMatchObject({
      upstream: "replica-2",
      affinityId: workspaceIdentity(TEST_ID_KEY, "/w").id,
    });
    expect(harness.prefixes[0]?.callId).toBe("r:model:4");
  });
});
