import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  applyStreamDecorators,
  publishedStreamDecoratorIds,
} from "@cloudsigma/taas-core/contracts/stream-decorators";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeApi, fakeApi } from "../../../test-support/plugin-api.ts";
import pkg from "../package.json" with { type: "json" };
import { deriveAffinityIdentity, workspaceIdentity } from "./affinity-id.ts";
import { PLUGIN_ID } from "./config.ts";
import { installKeyPath } from "./install-key.ts";
import { registerOptimizer } from "./register.ts";
import { shutdownOptimizer } from "./runtime.ts";
import { fakeTransport, model } from "./stream-wrapper.test-support.ts";
import type { StreamFn } from "./stream-wrapper.ts";

let stateDir: string;
const registered: FakeApi[] = [];
const register = (mode: OpenClawPluginApi["registrationMode"]) => {
  const fake = fakeApi({ id: PLUGIN_ID, mode, pluginConfig: { repoHints: false } });
  registerOptimizer(fake.api, { stateDir: () => stateDir, env: {} });
  registered.push(fake);
  return fake;
};

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "optimizer-register-"));
});
afterEach(() => {
  for (const fake of registered.splice(0)) fake.dispose();
  shutdownOptimizer();
  rmSync(stateDir, { recursive: true, force: true });
});

const ctx = (streamFn: StreamFn) => ({
  provider: "cloudsigma",
  modelId: "gpt-5.5",
  workspaceDir: "/srv/agents/main",
  agentId: "main",
  streamFn,
});

describe("optimizer registration", () => {
  it("registers nothing in cli-metadata mode", () => {
    const fake = register("cli-metadata");
    expect([fake.providers.length, fake.methods.size, fake.hooks.size]).toEqual([0, 0, 0]);
    expect(publishedStreamDecoratorIds()).toEqual([]);
  });

  it("hooks the configured providers, publishes on the decorator seam and withdraws on dispose", async () => {
    const fake = register("discovery");
    expect(fake.providers.map((p) => [p.id, p.hookAliases])).toEqual([
      [PLUGIN_ID, ["cloudsigma", "cloudsigma-staging"]],
    ]);
    expect(publishedStreamDecoratorIds()).toEqual([PLUGIN_ID]);
    const transport = fakeTransport(() => ({ model: "gpt-5.5", messages: [] }));
    const wrapped = applyStreamDecorators(ctx(transport.streamFn));
    await wrapped?.(model(), { messages: [] } as never, {});
    const key = readFileSync(installKeyPath(stateDir), "utf8").trim();
    const id = workspaceIdentity(key, "/srv/agents/main").id;
    expect(transport.calls[0]?.headers["X-Session-Id"]).toBe(id);
    expect(transport.calls[0]?.headers["X-OpenClaw-Plugin-Version"]).toBe(pkg.version);
    expect(JSON.parse(transport.calls[0]?.body ?? "{}").metadata.session_id).toBe(id);
    fake.dispose();
    expect(publishedStreamDecoratorIds()).toEqual([]);
    expect(applyStreamDecorators(ctx(transport.streamFn))).toBe(transport.streamFn);
  });

  // The host's standalone completions (`infer model run --local`, isolated completions) reach
  // a provider only through wrapSimpleCompletionStreamFn, with no agent and no workspace.
  it("decorates the host's standalone completions too, naming the config's agent", async () => {
    const fake = register("discovery");
    const transport = fakeTransport(() => ({ model: "gpt-5.5", messages: [] }));
    const wrapped = fake.providers[0]?.wrapSimpleCompletionStreamFn?.({
      provider: "cloudsigma",
      modelId: "gpt-5.5",
      config: { agents: { entries: { ops: {} } } },
      streamFn: transport.streamFn,
    });
    await wrapped?.(model(), { messages: [] } as never, {});
    const key = readFileSync(installKeyPath(stateDir), "utf8").trim();
    const id = deriveAffinityIdentity({ key, env: {}, stateDir }).id;
    expect(transport.calls[0]?.headers).toMatchObject({
      "X-Session-Id": id,
      "X-OpenClaw-Agent-Id": "ops",
    });
  });

  it("answers lastRoute from what another module instance captured, once gateway_stop flushed it", async () => {
    const hooks = register("discovery");
    const gateway = register("full");
    const transport = fakeTransport(() => ({ model: "gpt-5.5", messages: [] }), {
      status: 200,
      headers: { "x-taas-upstream": "replica-2", "x-request-id": "req_1" },
    });
    const wrap = hooks.providers[0]?.wrapStreamFn;
    const wrapped = wrap?.(ctx(transport.streamFn) as never);
    await wrapped?.(model(), { messages: [] } as never, { requestId: "run-1:model:1" } as never);
    gateway.fire("gateway_stop", {}, {});
    const answer = await gateway.call("taas.autorouter.lastRoute", { agentId: "main" });
    expect(answer).toMatchObject({
      ok: true,
      payload: {
        found: true,
        route: { upstream: "replica-2", requestId: "req_1", agentId: "main" },
      },
    });
    expect(gateway.methods.get("taas.autorouter.lastRoute")?.scope).toBe("operator.read");
  });

  it("sends the algorithm another module instance's setAlgorithm set, which needs the write scope", async () => {
    const hooks = register("discovery");
    const gateway = register("full");
    expect(gateway.methods.get("taas.autorouter.setAlgorithm")?.scope).toBe("operator.write");
    const set = await gateway.call("taas.autorouter.setAlgorithm", {
      agentId: "main",
      algorithm: "savings_curve",
    });
    expect(set).toMatchObject({
      ok: true,
      payload: { algorithm: "savings_curve", previous: null },
    });
    const transport = fakeTransport(() => ({ model: "auto", messages: [] }));
    const wrapped = hooks.providers[0]?.wrapStreamFn?.({
      ...ctx(transport.streamFn),
      modelId: "auto",
    } as never);
    await wrapped?.(model("cloudsigma", "auto"), { messages: [] } as never, {});
    // The preferences are the process's: clear this one for the tests after.
    await gateway.call("taas.autorouter.setAlgorithm", { agentId: "main", algorithm: null });
    expect(transport.calls[0]?.headers["X-TaaS-Autorouter-Algorithm"]).toBe("savings_curve");
  });
});
