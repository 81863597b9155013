import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { OpenClawPluginApi } from "openclaw/plugin-sdk/plugin-entry";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../../test-support/plugin-api.ts";
import { readRows } from "../../../test-support/sqlite-rows.ts";
import { TODAY_WIDGET_ID } from "./control-ui/widget-id.ts";
import { registerUsageLedger } from "./register.ts";
import { shutdownLedger } from "./runtime.ts";

let stateDir: string;
// The entry's register with the state dir injected, as index.ts does with the host's.
const entry = {
  register: (api: OpenClawPluginApi) => registerUsageLedger(api, { stateDir: () => stateDir }),
};
const granted = {
  plugins: { entries: { "usage-ledger": { hooks: { allowConversationAccess: true } } } },
};

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "usage-ledger-index-"));
});
afterEach(() => {
  shutdownLedger();
  rmSync(stateDir, { recursive: true, force: true });
});

const ledgerFile = () => join(stateDir, "usage-ledger", "ledger.sqlite");
const runId = "7f1c";
const base = {
  runId,
  callId: `${runId}:model:1`,
  sessionKey: "agent:main:main",
  sessionId: "s1",
  provider: "cloudsigma",
  model: "gpt-5.5",
};
const ctx = {
  runId,
  agentId: "main",
  sessionKey: "agent:main:main",
  sessionId: "s1",
  trigger: "cron",
};

/** One model call of agent main (10 input, 1 output tokens), as the host's hooks report it. */
function fireCall(fake: ReturnType<typeof fakeApi>): void {
  fake.fire("model_call_started", base, {});
  fake.fire(
    "before_message_write",
    { message: { role: "assistant", model: "gpt-5.5", usage: { input: 10, output: 1 } } },
    { agentId: "main", sessionKey: "agent:main:main" },
  );
  fake.fire("model_call_ended", { ...base, outcome: "completed" }, {});
}

describe("usage-ledger registration", () => {
  it("registers only its CLI in cli-metadata mode, without touching the runtime", () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "cli-metadata" });
    entry.register(fake.api);
    expect(fake.clis.map((c) => c.names)).toEqual([["usage-ledger"]]);
    expect(fake.hooks.size).toBe(0);
    expect(fake.methods.size).toBe(0);
  });

  it("registers its hooks, gateway method and CLI, opening nothing until the gateway starts", () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "discovery", config: granted });
    entry.register(fake.api);
    expect([...fake.hooks.keys()].sort()).toEqual([
      "agent_end",
      "before_message_write",
      // The writer starts with the gateway (an original usage-ledger file is imported then).
      "gateway_start",
      "gateway_stop",
      "llm_input",
      "llm_output",
      "model_call_ended",
      "model_call_started",
    ]);
    expect(fake.methods.get("usage-ledger.report")?.scope).toBe("operator.read");
    expect(fake.httpRoutes.map((r) => [r.path, r.auth, r.match])).toEqual([
      ["/usage-ledger/metrics", "gateway", "exact"],
    ]);
    expect(existsSync(join(stateDir, "usage-ledger"))).toBe(false);
  });

  it("advertises the dashboard widget its browser entry renders, for readers of the report", () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config: granted });
    entry.register(fake.api);
    expect(fake.controlUi).toEqual([
      expect.objectContaining({
        id: TODAY_WIDGET_ID,
        surface: "widget",
        requiredScopes: ["operator.read"],
      }),
    ]);
  });

  it("warns once at full registration when the conversation hooks are not granted", () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "full" });
    entry.register(fake.api);
    expect(fake.logs).toEqual([expect.stringMatching(/allowConversationAccess=true/)]);
    const grantedApi = fakeApi({ id: "usage-ledger", mode: "full", config: granted });
    entry.register(grantedApi.api);
    expect(grantedApi.logs).toEqual([]);
  });

  it("records a model call from the host's hooks and reports it through the gateway method", async () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config: granted });
    entry.register(fake.api);
    fake.fire("llm_input", { runId, sessionId: "s1" }, ctx);
    fake.fire("model_call_started", base, {});
    fake.fire(
      "model_call_ended",
      { ...base, durationMs: 397, timeToFirstByteMs: 322, outcome: "completed" },
      {},
    );
    fake.fire(
      "before_message_write",
      {
        message: {
          role: "assistant",
          model: "gpt-5.5",
          usage: { input: 176, output: 5, cacheRead: 1024, cacheWrite: 0, cost: { total: 0.0004 } },
        },
      },
      { agentId: "main", sessionKey: "agent:main:main" },
    );
    fake.fire(
      "llm_output",
      {
        runId,
        sessionId: "s1",
        provider: "cloudsigma",
        model: "gpt-5.5",
        usage: { input: 176, output: 5, cacheRead: 1024, cacheWrite: 0 },
      },
      ctx,
    );
    const answer = await fake.call("usage-ledger.report", { by: "trigger", since: "1h" });
    expect(answer.ok).toBe(true);
    expect(answer.payload).toMatchObject({
      by: "trigger",
      rows: [
        { key: "cron", calls: 1, ledgerRows: 1, input: 176, cacheRead: 1024, costUsd: 0.0004 },
      ],
    });
    expect(existsSync(ledgerFile())).toBe(true);
  });

  it("prices each call with the config as it is then: a price set while running applies to the next call", async () => {
    const priced = (input: number, output: number) => ({
      ...granted,
      models: {
        providers: { cloudsigma: { models: [{ id: "gpt-5.5", cost: { input, output } }] } },
      },
    });
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config: priced(1, 2) });
    entry.register(fake.api);
    const call = (run: string) => {
      const started = { ...base, runId: run, callId: `${run}:model:1` };
      fake.fire("model_call_started", started, {});
      fake.fire(
        "before_message_write",
        { message: { role: "assistant", model: "gpt-5.5", usage: { input: 10, output: 1 } } },
        { agentId: "main", sessionKey: "agent:main:main" },
      );
      fake.fire("model_call_ended", { ...started, outcome: "completed" }, {});
    };
    call("before");
    await fake.call("usage-ledger.report", {}); // flushes the first call's row
    // `openclaw config set` while the gateway runs: the host swaps its runtime config.
    fake.setCurrentConfig(priced(3, 4));
    call("after");
    await fake.call("usage-ledger.report", {});
    const rows = readRows(ledgerFile(), "SELECT run_id, cost_nusd FROM usage_rows ORDER BY id");
    expect(rows).toEqual([
      { run_id: "before", cost_nusd: 1000 * (10 * 1 + 1 * 2) },
      { run_id: "after", cost_nusd: 1000 * (10 * 3 + 1 * 4) },
    ]);
  });

  it("keeps recording when the ledger file is corrupt: sets it aside, and the report says so", async () => {
    // The attack: the ledger file overwritten with bytes that are not SQLite.
    mkdirSync(dirname(ledgerFile()), { recursive: true });
    writeFileSync(ledgerFile(), Buffer.alloc(16_384, 0x5a));
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config: granted });
    entry.register(fake.api);
    fireCall(fake);
    const answer = await fake.call("usage-ledger.report", { by: "agent", since: "1h" });
    const aside = readdirSync(dirname(ledgerFile())).filter((name) => name.includes(".corrupt-"));
    expect(aside).toEqual([
      expect.stringMatching(/^ledger\.sqlite\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z$/),
    ]);
    const asidePath = join(dirname(ledgerFile()), aside[0] ?? "");
    expect(answer.payload).toMatchObject({
      rows: [{ key: "main", calls: 1, input: 10 }],
      setAside: [{ path: asidePath, at: expect.stringMatching(/Z$/) }],
    });
    expect(fake.logs).toContainEqual(
      expect.stringContaining(
        `ledger file ${ledgerFile()} is corrupt (file is not a database): moved it aside to ${asidePath}`,
      ),
    );
  });

  it("counts an event once even when two module instances both see it", async () => {
    // The host evaluates the module per surface; a replay through a second instance (or a
    // reload) produces the same event ids, and the ledger keeps one row each.
    const fakes = [
      fakeApi({ id: "usage-ledger", mode: "discovery", config: granted }),
      fakeApi({ id: "usage-ledger", mode: "full", config: granted }),
    ];
    for (const fake of fakes) entry.register(fake.api);
    for (const fake of fakes) {
      fireCall(fake);
      fake.fire("llm_output", { runId, usage: { input: 15, output: 1 } }, ctx);
    }
    const answer = await fakes[1]?.call("usage-ledger.report", { by: "session", since: "1h" });
    expect(answer?.payload).toMatchObject({ totals: { ledgerRows: 2, calls: 1, input: 15 } });
  });

  it("puts the ledger under the state dir unless dbPath says otherwise", async () => {
    for (const [dbPath, expected] of [
      [undefined, ledgerFile()],
      ["  ", ledgerFile()],
      ["ledgers/main.sqlite", join(stateDir, "ledgers", "main.sqlite")],
      [join(stateDir, "abs", "ledger.sqlite"), join(stateDir, "abs", "ledger.sqlite")],
    ] as const) {
      const fake = fakeApi({
        id: "usage-ledger",
        mode: "full",
        config: granted,
        pluginConfig: dbPath === undefined ? {} : { dbPath },
      });
      entry.register(fake.api);
      fake.fire("model_call_started", base, {});
      fake.fire("model_call_ended", { ...base, outcome: "completed" }, {});
      await fake.call("usage-ledger.report", {});
      shutdownLedger();
      expect(existsSync(expected), String(dbPath)).toBe(true);
      rmSync(expected);
    }
  });

  it("answers bad parameters with INVALID_REQUEST", async () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config: granted });
    entry.register(fake.api);
    const answer = await fake.call("usage-ledger.report", { by: "color" });
    expect(answer).toMatchObject({
      ok: false,
      error: { code: "INVALID_REQUEST", message: expect.stringMatching(/--by must be one of/) },
    });
    // A huge parameter is quoted, not echoed whole.
    const huge = await fake.call("usage-ledger.report", { since: "9".repeat(100_000) });
    const message = (huge.error as { message: string }).message;
    expect(message).toMatch(/^--since "9{100}…" is not a duration/);
    expect(message.length).toBeLessThan(250);
  });

  it("records nothing when disabled, but still reports", async () => {
    const fake = fakeApi({
      id: "usage-ledger",
      mode: "full",
      pluginConfig: { enabled: false },
      config: granted,
    });
    entry.register(fake.api);
    expect(fake.hooks.size).toBe(0);
    expect((await fake.call("usage-ledger.report", {})).ok).toBe(true);
  });

  it("never throws into the host on malformed events", () => {
    const fake = fakeApi({ id: "usage-ledger", mode: "full", config: granted });
    entry.register(fake.api);
    for (const hook of fake.hooks.keys()) {
      if (hook === "gateway_stop") continue;
      for (const event of [undefined, null, {}, { runId: 5, usage: "lots" }]) {
        expect(() => fake.fire(hook, event, undefined)).not.toThrow();
      }
    }
  });
});
