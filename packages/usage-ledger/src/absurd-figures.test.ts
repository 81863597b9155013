import { join } from "node:path";
import { writeGatewayPrices } from "@cloudsigma/taas-core/contracts/gateway-prices";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeApi, fakeApi } from "../../../test-support/plugin-api.ts";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { useTempDirs } from "../../../test-support/temp-dirs.ts";
import { registerUsageLedger } from "./register.ts";
import { shutdownLedger } from "./runtime.ts";

// A figure of 1e308 (a price in the operator's config or in the listing the provider saved, a
// call's duration from the host) once made SQLite refuse the call's row. Each is refused where it
// is read: the row is stored, with that figure unknown.

const tempDir = useTempDirs("usage-ledger-figures");
let stateDir: string;
beforeEach(() => {
  stateDir = tempDir();
});
// After-hooks run last-registered first: the writers close before the dirs are removed.
afterEach(() => shutdownLedger());

const ledgerFile = () => join(stateDir, "usage-ledger", "ledger.sqlite");
const config = {
  plugins: { entries: { "usage-ledger": { hooks: { allowConversationAccess: true } } } },
  models: {
    providers: {
      cloudsigma: {
        models: [{ id: "priced-by-config", cost: { input: 1e308, output: 0, cacheRead: 0 } }],
      },
    },
  },
};

function fireCall(
  fake: FakeApi,
  runId: string,
  model: string,
  { durationMs = 397, input = 176 } = {},
): void {
  const session = { sessionKey: "agent:main:main", sessionId: "s1" };
  const call = { runId, callId: `${runId}:model:1`, ...session, provider: "cloudsigma", model };
  const ctx = { runId, agentId: "main", ...session, trigger: "user" };
  const usage = { input, output: 5, cacheRead: 0, cacheWrite: 0 };
  fake.fire("llm_input", { runId, sessionId: "s1" }, ctx);
  fake.fire("model_call_started", call, {});
  fake.fire("model_call_ended", { ...call, durationMs, outcome: "completed" }, {});
  fake.fire(
    "before_message_write",
    { message: { role: "assistant", model, usage } },
    { agentId: "main", sessionKey: "agent:main:main" },
  );
  fake.fire("llm_output", { runId, sessionId: "s1", provider: "cloudsigma", model, usage }, ctx);
}

describe("usage-ledger: an absurd price", () => {
  it("is refused with a warning naming the model; the call's row is stored, priced unknown", async () => {
    await writeGatewayPrices(
      stateDir,
      ["cloudsigma"],
      new Map([["priced-by-listing", { input: 1e308 }]]),
    );
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config });
    registerUsageLedger(fake.api, { stateDir: () => stateDir });
    fireCall(fake, "run-config", "priced-by-config");
    fireCall(fake, "run-listing", "priced-by-listing");
    const answer = await fake.call("usage-ledger.report", { by: "model", since: "1h" });
    expect(answer.ok).toBe(true);

    const rows = readRows(
      ledgerFile(),
      "SELECT granularity, model, input, cost_nusd, cost_state FROM usage_rows ORDER BY model",
    );
    expect(rows).toEqual([
      {
        granularity: "call",
        model: "priced-by-config",
        input: 176,
        cost_nusd: null,
        cost_state: "unknown",
      },
      {
        granularity: "call",
        model: "priced-by-listing",
        input: 176,
        cost_nusd: null,
        cost_state: "unknown",
      },
    ]);
    expect(fake.logs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^warn: \[usage-ledger\] price refused: cost\.input of model "cloudsigma\/priced-by-config" in the OpenClaw config .* is "1e\+308"/,
        ),
        expect.stringMatching(
          /^warn: \[usage-ledger\] price refused: input of model "cloudsigma\/priced-by-listing" in the prices saved from the gateway's listing .* is "1e\+308"/,
        ),
      ]),
    );
  });
});

describe("usage-ledger: an absurd duration", () => {
  it("is stored as unknown latency; the call's row is kept", async () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config });
    registerUsageLedger(fake.api, { stateDir: () => stateDir });
    fireCall(fake, "run-slow", "gpt-5.5", { durationMs: 1e308 });
    expect((await fake.call("usage-ledger.report", {})).ok).toBe(true);
    expect(readRows(ledgerFile(), "SELECT granularity, input, latency_ms FROM usage_rows")).toEqual(
      [{ granularity: "call", input: 176, latency_ms: null }],
    );
  });
});

describe("usage-ledger: absurd token counts", () => {
  it("store every row with its tokens unknown; the hourly sums and the report stay whole", async () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config });
    registerUsageLedger(fake.api, { stateDir: () => stateDir });
    // 2^53 tokens a call overflowed the hour's sum after 1,023 calls; later rows were dropped.
    const calls = 1_100;
    for (let n = 0; n < calls; n += 1) {
      fireCall(fake, `run-${n}`, "gpt-5.5", { input: Number.MAX_SAFE_INTEGER });
    }
    const answer = await fake.call("usage-ledger.report", { since: "1h" });
    expect(answer).toMatchObject({
      ok: true,
      payload: { totals: { ledgerRows: calls, input: 0 } },
    });
    const stored = readRows(ledgerFile(), "SELECT usage_known, count(*) AS n FROM usage_rows");
    expect(stored).toEqual([{ usage_known: 0, n: calls }]);
  });
});
