import { describe, expect, it } from "vitest";
import { workspaceIdentity } from "./affinity-id.ts";
import { buildAffinityMetadata } from "./envelope.ts";
import { patchPayloadMetadata } from "./payload-patch.ts";
import { call, fakeTransport, TEST_ID_KEY, wrapperHarness } from "./stream-wrapper.test-support.ts";

const ours = buildAffinityMetadata({
  identity: workspaceIdentity(TEST_ID_KEY, "/w"),
  hostId: "host:x",
  provider: "cloudsigma",
  modelId: "gpt-5.5",
  agentId: "main",
  pluginVersion: "1",
  source: "openclaw-taas-affinity",
});

describe("patchPayloadMetadata: the caller's value always wins", () => {
  it.each([
    ["no metadata", undefined, { session_id: ours.session_id, sticky_key: ours.sticky_key }],
    [
      "caller session_id",
      { session_id: "caller" },
      { session_id: "caller", sticky_key: ours.sticky_key },
    ],
    [
      "caller sticky_key",
      { sticky_key: "caller" },
      { session_id: ours.session_id, sticky_key: "caller" },
    ],
    [
      "caller null session_id",
      { session_id: null },
      { session_id: null, sticky_key: ours.sticky_key },
    ],
    ["caller empty string", { session_id: "" }, { session_id: "", sticky_key: ours.sticky_key }],
    ["caller runtime", { requester_runtime: { mine: 1 } }, { requester_runtime: { mine: 1 } }],
    ["caller correlation", { openclaw_correlation: "x" }, { openclaw_correlation: "x" }],
    [
      "unrelated caller keys kept",
      { user_tag: "t" },
      { user_tag: "t", session_id: ours.session_id },
    ],
  ])("%s", (_label, metadata, expected) => {
    const payload: Record<string, unknown> = { model: "m", ...(metadata ? { metadata } : {}) };
    patchPayloadMetadata(payload, ours);
    expect(payload.metadata).toMatchObject(expected);
  });

  it("leaves a non-object metadata and non-object payloads alone", () => {
    const payload = { metadata: "opaque" };
    expect(patchPayloadMetadata(payload, ours)).toEqual({ metadata: "opaque" });
    expect(patchPayloadMetadata("raw", ours)).toBe("raw");
    expect(patchPayloadMetadata(null, ours)).toBeNull();
  });
});

describe("precedence through the wrapper", () => {
  it("a payload hook that already set metadata keeps it (it runs first)", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(() => ({ model: "m", messages: [] }));
    await call(wrap({ streamFn: transport.streamFn, workspaceDir: "/w" }), {
      onPayload: (payload) => ({
        ...(payload as object),
        metadata: { session_id: "from-extra-body" },
      }),
    });
    const body = JSON.parse(transport.calls[0]?.body ?? "{}");
    expect(body.metadata.session_id).toBe("from-extra-body");
    expect(body.metadata.sticky_key).toBe(workspaceIdentity(TEST_ID_KEY, "/w").id);
  });

  it("an id pinned in config params is used in the headers too, so body and headers agree", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(() => ({ model: "m", metadata: { session_id: "ops-pinned" } }));
    await call(
      wrap({
        streamFn: transport.streamFn,
        workspaceDir: "/w",
        extraParams: { metadata: { session_id: "ops-pinned" } },
      }),
    );
    expect(transport.calls[0]?.headers["X-Session-Id"]).toBe("ops-pinned");
    expect(JSON.parse(transport.calls[0]?.body ?? "{}").metadata.session_id).toBe("ops-pinned");
  });

  it.each([
    ["session_id in config params", { session_id: "ops-pinned" }, "ops-pinned"],
    ["sticky_key alone", { sticky_key: "sticky-1" }, "sticky-1"],
    ["session_id over sticky_key", { session_id: "wins", sticky_key: "loses" }, "wins"],
    ["a non-ASCII pin, made header-safe", { session_id: "sesi\u00f3n-1" }, "sesin-1"],
    ["a pin with CR/LF", { session_id: "a\r\nX-Evil: 1" }, "aX-Evil: 1"],
  ])("one id everywhere for %s: body, headers and capture agree", async (_label, pin, id) => {
    const { wrap, captures } = wrapperHarness();
    const transport = fakeTransport(() => ({ model: "m", messages: [] }));
    await call(
      wrap({ streamFn: transport.streamFn, workspaceDir: "/w", extraParams: { metadata: pin } }),
      { requestId: "run-1:model:1" },
    );
    await new Promise((resolve) => setImmediate(resolve));
    const body = JSON.parse(transport.calls[0]?.body ?? "{}");
    expect(body.metadata.session_id).toBe(id);
    expect(body.metadata.sticky_key).toBe(id);
    expect(body.metadata.openclaw_correlation.session_id).toBe(id);
    expect(transport.calls[0]?.headers["X-Session-Id"]).toBe(id);
    expect(transport.calls[0]?.headers["X-OpenClaw-Session-Id"]).toBe(id);
    expect(captures.map((c) => [c.affinityId, c.workspaceAffinityId])).toEqual([
      [id, workspaceIdentity(TEST_ID_KEY, "/w").id],
    ]);
  });

  it("ignores a pin with nothing header-safe left, and uses its own id", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(() => ({ model: "m", messages: [] }));
    await call(
      wrap({
        streamFn: transport.streamFn,
        workspaceDir: "/w",
        extraParams: { metadata: { session_id: "\u00e9\u00e9", sticky_key: "  " } },
      }),
    );
    const ours = workspaceIdentity(TEST_ID_KEY, "/w").id;
    expect(JSON.parse(transport.calls[0]?.body ?? "{}").metadata.session_id).toBe(ours);
    expect(transport.calls[0]?.headers["X-Session-Id"]).toBe(ours);
  });

  it("a header the caller set keeps its value", async () => {
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(() => ({ model: "m" }));
    await call(wrap({ streamFn: transport.streamFn, workspaceDir: "/w" }), {
      headers: { "x-session-id": "caller" },
    });
    expect(transport.calls[0]?.headers).toMatchObject({ "x-session-id": "caller" });
    expect(transport.calls[0]?.headers).not.toHaveProperty("X-Session-Id");
  });
});

describe("tool payloads pass through byte for byte", () => {
  it("tools, tool_choice, assistant tool_calls and tool messages serialise exactly as built", async () => {
    const toolPart = {
      tools: [
        {
          type: "function",
          function: {
            name: "read",
            description: 'Read a file \u2014 "quoted"',
            parameters: {
              type: "object",
              properties: { path: { type: "string" } },
              required: ["path"],
            },
          },
        },
        {
          type: "function",
          function: {
            name: "exec",
            parameters: { type: "object", properties: { z: {}, a: { enum: [3, 1, 2] } } },
          },
        },
      ],
      tool_choice: { type: "function", function: { name: "read" } },
    };
    const messages = [
      { role: "user", content: "read it" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "read", arguments: '{"path":"/etc/hosts"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "127.0.0.1 localhost\n\u0000odd" },
    ];
    const build = () => ({
      model: "gpt-5.5",
      messages: structuredClone(messages),
      ...structuredClone(toolPart),
    });
    const { wrap } = wrapperHarness();
    const transport = fakeTransport(build);
    await call(wrap({ streamFn: transport.streamFn, workspaceDir: "/w" }), {});
    const sent = JSON.parse(transport.calls[0]?.body ?? "{}");
    for (const key of ["tools", "tool_choice", "messages"] as const) {
      expect(JSON.stringify(sent[key])).toBe(JSON.stringify(build()[key]));
    }
    const { metadata: _metadata, ...rest } = sent;
    expect(JSON.stringify(rest)).toBe(JSON.stringify(build()));
  });
});
