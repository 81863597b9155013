import { AUTO_MODEL_ID } from "@cloudsigma/taas-core/autorouter";
import { describe, expect, it } from "vitest";
import { workspaceIdentity } from "./affinity-id.ts";
import { AutorouterPreferences } from "./autorouter-preferences.ts";
import type { OptimizerConfig } from "./config.ts";
import {
  call,
  fakeTransport,
  model,
  TEST_ID_KEY,
  wrapperHarness,
} from "./stream-wrapper.test-support.ts";

const HEADER = "X-TaaS-Autorouter-Algorithm";
const WORKSPACE = "/srv/agents/main";
const SESSION = workspaceIdentity(TEST_ID_KEY, WORKSPACE).id;
const body = () => ({ model: AUTO_MODEL_ID, messages: [{ role: "user", content: "hi" }] });
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** One call through the wrapper: what went out, and what the route capture kept. */
async function oneCall(options: {
  preferences?: AutorouterPreferences;
  config?: Partial<OptimizerConfig>;
  modelId?: string;
  provider?: string;
  headers?: Record<string, string>;
  responseHeaders?: Record<string, string>;
}) {
  const harness = wrapperHarness({ preferences: options.preferences, config: options.config });
  const transport = fakeTransport(body, { status: 200, headers: options.responseHeaders ?? {} });
  const streamFn = harness.wrap({
    streamFn: transport.streamFn,
    workspaceDir: WORKSPACE,
    agentId: "main",
    modelId: options.modelId ?? AUTO_MODEL_ID,
  });
  await call(
    streamFn,
    { requestId: "run-1:model:1", ...(options.headers ? { headers: options.headers } : {}) },
    model(options.provider ?? "cloudsigma", options.modelId ?? AUTO_MODEL_ID),
  );
  await flush();
  return { sent: transport.calls[0], capture: harness.captures[0] };
}

describe("X-TaaS-Autorouter-Algorithm on calls to the auto model", () => {
  it.each([
    ["the session's", "ttft", "tps", "cost", "ttft", "session"],
    ["the agent's, without a session preference", undefined, "tps", "cost", "tps", "agent"],
    ["the config default, without either", undefined, undefined, "cost", "cost", "config"],
    ["nothing: TaaS decides", undefined, undefined, undefined, undefined, undefined],
  ] as const)("sends %s", async (_label, session, agent, config, header, from) => {
    const preferences = new AutorouterPreferences();
    if (session) preferences.set("session", SESSION, session);
    if (agent) preferences.set("agent", "main", agent);
    const { sent, capture } = await oneCall({
      preferences,
      config: { autorouterAlgorithm: config },
      responseHeaders: header ? { "x-taas-autorouter-algorithm-source": header } : {},
    });
    expect(sent?.headers[HEADER]).toBe(header);
    expect(capture?.autorouterAlgorithm).toBe(header);
    expect(capture?.autorouterAlgorithmFrom).toBe(from);
    // What TaaS answered is kept apart from what was asked.
    expect(capture?.autorouterAlgorithmSource).toBe(header);
    // The header only: the body's metadata is the same whatever the algorithm.
    expect(JSON.parse(sent?.body ?? "{}").metadata.openclaw_correlation).not.toHaveProperty(
      "autorouter_algorithm",
    );
  });

  it("is not sent for a named model, which TaaS does not route", async () => {
    const { sent, capture } = await oneCall({
      config: { autorouterAlgorithm: "cost" },
      modelId: "gpt-5.5",
    });
    expect(Object.keys(sent?.headers ?? {})).not.toContain(HEADER);
    expect(capture).not.toHaveProperty("autorouterAlgorithm");
  });

  it("is not sent to a provider the optimizer does not decorate", async () => {
    const { sent } = await oneCall({
      config: { autorouterAlgorithm: "cost" },
      provider: "openai",
    });
    expect(sent?.headers).toEqual({});
  });

  it("is not sent when the optimizer only observes (sendHints false)", async () => {
    const { sent, capture } = await oneCall({
      config: { autorouterAlgorithm: "cost", sendHints: false },
    });
    expect(sent?.headers).toEqual({});
    expect(capture).not.toHaveProperty("autorouterAlgorithm");
  });

  it("leaves a caller's own header as it is, and the capture names it the caller's", async () => {
    const preferences = new AutorouterPreferences();
    preferences.set("session", SESSION, "ttft");
    const { sent, capture } = await oneCall({
      preferences,
      headers: { "x-taas-autorouter-algorithm": "savings_curve" },
    });
    expect(
      Object.entries(sent?.headers ?? {}).filter(
        ([name]) => name.toLowerCase() === HEADER.toLowerCase(),
      ),
    ).toEqual([["x-taas-autorouter-algorithm", "savings_curve"]]);
    expect(capture).toMatchObject({
      autorouterAlgorithm: "savings_curve",
      autorouterAlgorithmFrom: "caller",
    });
  });

  it("follows a preference set after the model was prepared, on the very next call", async () => {
    const preferences = new AutorouterPreferences();
    const harness = wrapperHarness({ preferences });
    const transport = fakeTransport(body);
    const streamFn = harness.wrap({
      streamFn: transport.streamFn,
      workspaceDir: WORKSPACE,
      agentId: "main",
      modelId: AUTO_MODEL_ID,
    });
    const auto = model("cloudsigma", AUTO_MODEL_ID);
    await call(streamFn, {}, auto);
    preferences.set("agent", "main", "price_performance");
    await call(streamFn, {}, auto);
    preferences.set("agent", "main", null);
    await call(streamFn, {}, auto);
    expect(transport.calls.map((sent) => sent.headers[HEADER])).toEqual([
      undefined,
      "price_performance",
      undefined,
    ]);
  });
});
