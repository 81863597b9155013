import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeGatewayPrices } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import { RouteStoreWriter } from "../../token-cache-optimizer/src/route-store-writer.ts";
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
function fireCall(fake: ReturnType<typeof register>, model: string, usage: object = USAGE) {
  const call = { runId: run, callId, sessionKey: "agent:main:main", provider: "cloudsigma", model };
  fake.fire("model_call_started", call);
  fake.fire("model_call_ended", { ...call, outcome: "completed" });
  fake.fire(
    "before_message_write",
    { message: { role: "assistant", model, usage: { ...usage, cost: { total: 0 } } } },
    { agentId: "main", sessionKey: "agent:main:main" },
  );
  shutdownAudit();
  const text = readFileSync(join(stateDir, "token-audit", "usage.jsonl"), "utf8");
  return JSON.parse(text.trim().split("\n").at(-1) ?? "{}");
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
          autorouterModel: "gpt-5.4",
        },
      ],
      { maxAffinityIds: 10, maxAgents: 10, maxCalls: 10 },
    );
    writer.close();
    const line = fireCall(register(), "auto");
    expect(line).toMatchObject({
      model: "auto",
      routedModel: "gpt-5.4",
      costUsd: (176 * 2.5 + 5 * 15) / 1e6,
      costState: "partial",
    });
  });

  it("says unknown, not free, for a call nobody priced", () => {
    expect(fireCall(register(), "gpt-5.5")).toMatchObject({
      routedModel: null,
      costUsd: null,
      costState: "unknown",
    });
  });

  it("uses the config as it is when the line is written: a price set while running counts", () => {
    const fake = register(withPrice("gpt-5.5", { input: 1, output: 2 }));
    fake.setCurrentConfig(withPrice("gpt-5.5", { input: 3, output: 4, cacheRead: 0.5 }));
    expect(fireCall(fake, "gpt-5.5")).toMatchObject({
      costUsd: (176 * 3 + 5 * 4 + 1024 * 0.5) / 1e6,
      costState: "known",
    });
  });
});
