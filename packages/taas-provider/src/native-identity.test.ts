import {
  AFFINITY_DECORATOR,
  markDecorated,
  publishStreamDecorator,
} from "@cloudsigma/taas-core/contracts/stream-decorators";
import type { ProviderWrapStreamFnContext } from "openclaw/plugin-sdk/plugin-entry";
import { afterEach, describe, expect, it } from "vitest";
import { parseProviderConfig } from "./config.ts";
import { PROVIDER_ID } from "./identity.ts";
import { withNativeIdentity } from "./native-identity.ts";
import { buildProvider } from "./provider.ts";

type StreamFn = NonNullable<ProviderWrapStreamFnContext["streamFn"]>;
type Options = NonNullable<Parameters<StreamFn>[2]>;

const MODEL = { id: "gpt-5.5", provider: PROVIDER_ID } as Parameters<StreamFn>[0];
const DEPS = { pluginVersion: "9.9.9", processSessionId: () => "process-session" };

/** The host transport as far as the wire goes: onPayload runs, then body and headers are sent. */
function fakeTransport(payload: () => Record<string, unknown> = () => ({ model: "gpt-5.5" })) {
  const sent: Array<{ body: Record<string, unknown>; headers: Record<string, string> }> = [];
  const streamFn: StreamFn = async (model, _context, options) => {
    const body = ((await options?.onPayload?.(payload(), model)) ?? payload()) as Record<
      string,
      unknown
    >;
    sent.push({ body: JSON.parse(JSON.stringify(body)), headers: { ...options?.headers } });
    // An ended stream: the rejected-key watcher reads its final message.
    return {
      result: () => Promise.resolve({ stopReason: "stop" }),
      async *[Symbol.asyncIterator]() {},
    } as unknown as Awaited<ReturnType<StreamFn>>;
  };
  return { streamFn, sent };
}

const ctxOf = (
  streamFn: StreamFn,
  extra: Partial<ProviderWrapStreamFnContext> = {},
): ProviderWrapStreamFnContext => ({
  provider: PROVIDER_ID,
  modelId: "gpt-5.5",
  streamFn,
  ...extra,
});

/** One call through the provider's identity alone; what reached the wire. */
async function send(extra: Partial<ProviderWrapStreamFnContext>, options: Options = {}) {
  const transport = fakeTransport();
  const wrapped = withNativeIdentity(transport.streamFn, ctxOf(transport.streamFn, extra), DEPS);
  await wrapped(MODEL, { messages: [] }, options);
  return transport.sent[0];
}

describe("the provider's own identity, when no optimizer decorates the call", () => {
  it.each<{
    path: string;
    ctx: Partial<ProviderWrapStreamFnContext>;
    options: Options;
    session: string;
    agent: string;
  }>([
    {
      path: "an agent turn: the host's session and agent",
      ctx: { agentId: "main" },
      options: { sessionId: "0080591d-5e67-4019-bea2-9652d76b971d" },
      session: "0080591d-5e67-4019-bea2-9652d76b971d",
      agent: "main",
    },
    {
      path: "a standalone completion: the process's id, the config's owner",
      ctx: { config: { agents: { entries: { ops: {} } } } },
      options: {},
      session: "process-session",
      agent: "ops",
    },
    {
      path: "several agents and no owner: the host's default id",
      ctx: { config: { agents: { entries: { main: {}, second: {} } } } },
      options: {},
      session: "process-session",
      agent: "main",
    },
    {
      path: "a pinned id in config params is the one id",
      ctx: { agentId: "main", extraParams: { metadata: { sticky_key: "team-a" } } },
      options: { sessionId: "host-session" },
      session: "team-a",
      agent: "main",
    },
  ])("$path", async ({ ctx, options, session, agent }) => {
    const wire = await send(ctx, options);
    expect(wire?.headers).toEqual({
      "X-Session-Id": session,
      "X-OpenClaw-Session-Id": session,
      "X-OpenClaw-Agent-Id": agent,
      "X-OpenClaw-Plugin-Version": "9.9.9",
    });
    expect(wire?.body.metadata).toMatchObject({ session_id: session, sticky_key: session });
  });

  it("keeps what the caller set, in headers and body", async () => {
    const transport = fakeTransport(() => ({ metadata: { session_id: "body-pin", tag: 1 } }));
    const ctx = ctxOf(transport.streamFn, { agentId: "main" });
    await withNativeIdentity(transport.streamFn, ctx, DEPS)(
      MODEL,
      { messages: [] },
      {
        sessionId: "host",
        headers: { "x-openclaw-agent-id": "caller-agent", traceparent: "t" },
      },
    );
    expect(transport.sent[0]?.headers).toMatchObject({
      "x-openclaw-agent-id": "caller-agent",
      traceparent: "t",
      "X-Session-Id": "host",
    });
    expect(transport.sent[0]?.headers).not.toHaveProperty("X-OpenClaw-Agent-Id");
    expect(transport.sent[0]?.body.metadata).toEqual({
      session_id: "body-pin",
      sticky_key: "host",
      tag: 1,
    });
  });

  it.each([
    ["observe-only optimizer", { sendHints: false }, true, false],
    ["disabled observe-only optimizer", { sendHints: false }, false, true],
    ["steering optimizer not loaded here", { sendHints: true }, true, true],
  ])("%s: sends an identity = %s", async (_label, optimizerConfig, enabled, sends) => {
    const config = {
      plugins: { entries: { "openclaw-taas-affinity": { enabled, config: optimizerConfig } } },
    };
    const wire = await send({ agentId: "main", config }, { sessionId: "s" });
    expect(wire?.headers["X-Session-Id"]).toBe(sends ? "s" : undefined);
  });
});

describe("the provider's stream hooks", () => {
  const withdrawals: Array<() => void> = [];
  afterEach(() => {
    for (const withdraw of withdrawals.splice(0)) withdraw();
  });
  const provider = buildProvider({
    settings: () => parseProviderConfig({ discovery: false }),
    logger: { warn: () => {} },
    identity: DEPS,
  });

  it.each(["wrapStreamFn", "wrapSimpleCompletionStreamFn"] as const)(
    "%s: the optimizer's decoration alone when it decorated the call, else the provider's identity",
    async (hook) => {
      const bare = fakeTransport();
      await provider[hook]?.(ctxOf(bare.streamFn, { agentId: "main" }))?.(MODEL, { messages: [] });
      expect(bare.sent[0]?.headers["X-OpenClaw-Agent-Id"]).toBe("main");

      withdrawals.push(
        publishStreamDecorator<ProviderWrapStreamFnContext, StreamFn>(AFFINITY_DECORATOR, (c) => {
          const inner = c.streamFn;
          if (!inner) return inner;
          const optimizer: StreamFn = (m, context, options) =>
            inner(m, context, { ...options, headers: { "X-Session-Id": "oc:optimizer" } });
          return markDecorated(optimizer, AFFINITY_DECORATOR.id);
        }),
      );
      const decorated = fakeTransport();
      await provider[hook]?.(ctxOf(decorated.streamFn, { agentId: "main" }))?.(MODEL, {
        messages: [],
      });
      expect(decorated.sent[0]?.headers).toEqual({ "X-Session-Id": "oc:optimizer" });
    },
  );
});
