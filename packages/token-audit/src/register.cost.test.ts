import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeGatewayPrices } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import { RouteStoreWriter } from "../../token-cache-optimizer/src/route-store-writer.ts";
import { PRICE_AFTER_MS } from "./deferred-lines.ts";
import { registerTokenAudit } from "./register.ts";
import { shutdownAudit } from "./runtime.ts";

// The cost on an audit line is the usage ledger's for the same call: the operator's config as it
// is now, then the prices the TaaS provider saved from the gateway's listing, and for an
// autorouted call the model TaaS routed it to (the optimizer's capture). The token kinds a call
// used without a price make the line `partial`, never free.

let stateDir: string;
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "token-audit-pricing-"));
});
afterEach(() => {
  shutdownAudit();
  rmSync(stateDir, { recursive: true, force: true });
});

const run = "5e7d";
const callId = `${run}:model:1`;
const USAGE = { input: 176, output: 5, cacheRead: 1024, cacheWrite: 0 };

function register(config: Record<string, unknown> = {}) {
  const fake = fakeApi({ id: "token-audit", mode: "full", config });
  registerTokenAudit(fake.api, { stateDir: () => stateDir });
  return fake;
}

/** One call on `model` as the host reports it; the host priced the `auto` row at nothing. */
function endCall(fake: ReturnType<typeof register>, model: string) {
  const call = { runId: run, callId, sessionKey: "agent:main:main", provider: "cloudsigma", model };
  fake.fire("model_call_started", call);
  fake.fire("model_call_ended", { ...call, outcome: "completed" });
  fake.fire(
    "before_message_write",
    { message: { role: "assistant", model, usage: { ...USAGE, cost: { total: 0 } } } },
    { agentId: "main", sessionKey: "agent:main:main" },
  );
}

/** The last audit line written, if any. */
function lastLine() {
  const path = join(stateDir, "token-audit", "usage.jsonl");
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8").trim().split("\n").at(-1) ?? "{}");
}

/** One call's line, written by the shutdown (which writes what is still waiting). */
async function fireCall(fake: ReturnType<typeof register>, model: string) {
  endCall(fake, model);
  shutdownAudit();
  return lastLine();
}

/** The optimizer's capture of the call: autorouted to `model`. */
function storeRoute(model: string) {
  const writer = new RouteStoreWriter(stateDir);
  writer.write(
    [
      {
        capturedAt: new Date().toISOString(),
        affinityId: "oc:0000000000000001",
        callId,
        provider: "cloudsigma",
        model: "auto",
        status: 200,
        autorouted: true,
        autorouterModel: model,
      },
    ],
    { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 },
  );
  writer.close();
}

const withPrice = (id: string, cost: object) => ({
  models: { providers: { cloudsigma: { models: [{ id, cost }] } } },
});

describe("token-audit line cost", () => {
  it("prices an autorouted call by the model TaaS routed it to, at the listed price, partial without a cache-read price", async () => {
    await writeGatewayPrices(
      stateDir,
      ["cloudsigma"],
      new Map([["gpt-5.4", { input: 2.5, output: 15 }]]),
    );
    storeRoute("gpt-5.4");
    expect(await fireCall(register(), "auto")).toMatchObject({
      model: "auto",
      routedModel: "gpt-5.4",
      costUsd: (176 * 2.5 + 5 * 15) / 1e6,
      costState: "partial",
    });
  });

  it("waits for a route the optimizer stores just after the call ended, as the ledger does", async () => {
    const fake = register(withPrice("gpt-5.4", { input: 2.5, output: 15, cacheRead: 0.25 }));
    const ended = Date.now();
    endCall(fake, "auto");
    storeRoute("gpt-5.4");
    expect(lastLine()).toBeUndefined();
    await vi.waitFor(() => expect(lastLine()).toBeDefined(), { timeout: 2_000 });
    expect(Date.now() - ended).toBeGreaterThanOrEqual(PRICE_AFTER_MS);
    expect(lastLine()).toMatchObject({ routedModel: "gpt-5.4", costState: "known" });
  });

  it("says unknown, not free, for a call nobody priced", async () => {
    expect(await fireCall(register(), "gpt-5.5")).toMatchObject({
      routedModel: null,
      costUsd: null,
      costState: "unknown",
    });
  });

  it("uses the config as it is when the line is written: a price set while running counts", async () => {
    const fake = register(withPrice("gpt-5.5", { input: 1, output: 2 }));
    fake.setCurrentConfig(withPrice("gpt-5.5", { input: 3, output: 4, cacheRead: 0.5 }));
    expect(await fireCall(fake, "gpt-5.5")).toMatchObject({
      costUsd: (176 * 3 + 5 * 4 + 1024 * 0.5) / 1e6,
      costState: "known",
    });
  });
});
