import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "@cloudsigma/taas-core/sqlite";
import type { RecordedRequest } from "@cloudsigma/taas-emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AgentTurn,
  gatewayCall,
  type Host,
  ledgerPlugin,
  nonEmpty,
  optimizerPlugin,
  type ProviderModel,
  parseJsonOutput,
  REPO_ROOT,
  runAgentTurn,
  runOpenClaw,
  startHost,
  tearDownHost,
  waitFor,
} from "../../../e2e/harness/index.ts";
import { type ReportPayload, readLedgerRows } from "./ledger-e2e.test-support.ts";

const SESSION = "agent:main:ledger-a";
const TOOL_SESSION = "agent:main:ledger-tools";

// Prices this test sets as an operator would (USD per million tokens; illustrative, not TaaS's):
// gpt-5.5 fully priced, gpt-5.4 without a cache-read price, `auto` and kimi-k2.6 unpriced.
const GPT_55 = { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 0 };
const GPT_54 = { input: 3, output: 12 };
const MODELS: ProviderModel[] = [
  { id: "gpt-5.5", cost: GPT_55 },
  { id: "gpt-5.4", cost: GPT_54 },
  { id: "auto" },
  { id: "kimi-k2.6" },
];

/** What the tokens of a row cost at `price`, in nano-dollars (kinds without a price left out). */
const priced = (
  row: { input: number; output: number; cache_read: number },
  price: { input: number; output: number; cacheRead?: number },
) =>
  Math.round(
    1000 *
      (row.input * price.input +
        row.output * price.output +
        row.cache_read * (price.cacheRead ?? 0)),
  );

describe("usage-ledger in the real host", () => {
  let host: Host;
  let ledger: string;
  let auditFile: string;

  const chats = (): RecordedRequest[] =>
    host.emulator.requests().filter((r) => r.path === "/v1/chat/completions");

  const rows = (where = "1 = 1", ...params: string[]) => readLedgerRows(ledger, where, ...params);

  const rowsOfRun = (turn: AgentTurn, count: number) =>
    waitFor(`${count} ledger row(s) of run ${turn.runId}`, () => {
      const found = rows("run_id = ?", turn.runId ?? "?");
      return found.length >= count ? found : undefined;
    });

  const turn = async (message: string, sessionKey: string, model?: string) => {
    const before = chats().length;
    const result = await runAgentTurn(host.state, {
      message,
      sessionKey,
      ...(model ? { model } : {}),
    });
    return { result, requests: chats().slice(before) };
  };

  beforeAll(async () => {
    host = await startHost({
      name: "usage-ledger",
      // One replica: every request sees the same prefix cache, so turn 2 reads turn 1's prefix.
      emulator: { replicas: 1 },
      config: {
        models: MODELS,
        plugins: [
          ledgerPlugin(),
          // Loaded beside the ledger: its audit lines must match the ledger one to one.
          {
            id: "token-audit",
            path: join(REPO_ROOT, "packages", "token-audit"),
            allowConversationAccess: true,
          },
          // The optimizer captures where each call was routed; the ledger records it per row.
          optimizerPlugin(),
        ],
      },
      gateway: { token: "ledger-token" },
    });
    ledger = join(host.state.dir, "usage-ledger", "ledger.sqlite");
    auditFile = join(host.state.dir, "token-audit", "usage.jsonl");
  });

  afterAll(() => tearDownHost(host));

  it("two turns make two call rows; turn 2's cache read is the emulator's cached_tokens", async () => {
    const first = await turn("Hello ledger, first turn.", SESSION);
    const second = await turn("And a second turn in the same session.", SESSION);
    const [row1] = await rowsOfRun(first.result, 1);
    const [row2] = await rowsOfRun(second.result, 1);
    const request2 = second.requests.at(-1);
    expect(request2?.cachedTokens).toBeGreaterThan(0);
    expect(row2).toMatchObject({
      granularity: "call",
      calls: 1,
      call_id: `${second.result.runId}:model:1`,
      session_key: SESSION,
      agent_id: "main",
      trigger: "user",
      cache_read: request2?.cachedTokens,
      input: (request2?.promptTokens ?? 0) - (request2?.cachedTokens ?? 0),
      output: request2?.completionTokens,
      cache_write: 0,
      model: "gpt-5.5",
      routed_model: null,
      cost_state: "known",
      cost_source: "catalog",
      outcome: "completed",
      upstream_route: request2?.replica,
    });
    expect(row1).toMatchObject({
      cache_read: first.requests.at(-1)?.cachedTokens,
      input: first.result.usage?.input,
    });
    // The configured price, to the nano-dollar; the host priced the run the same way.
    if (!row2) throw new Error("no row for turn 2");
    expect(row2.cost_nusd).toBe(priced(row2, GPT_55));
    expect(row2.cost_nusd).toBe(Math.round((second.result.usage?.cost?.total ?? Number.NaN) * 1e9));
    expect(row2.saving_nusd).toBe(
      Math.round(1000 * row2.cache_read * (GPT_55.input - GPT_55.cacheRead)),
    );
    expect(row2?.latency_ms).toBeGreaterThan(0);
    // The cache accounting: the first call of the conversation's id is cold, the second read all
    // it shared with the first.
    expect(row1).toMatchObject({ miss_cause: "cold", expected_cache_read: 0, missed_tokens: 0 });
    expect(row2?.affinity_id).toMatch(/^oc:/);
    expect(row2?.affinity_id).toBe(row1?.affinity_id);
    expect(row2).toMatchObject({ missed_tokens: 0, expected_cache_read: request2?.cachedTokens });
    // Seen in this host: it sometimes sends the previous turn's history changed near its end.
    // When that change falls before the last cache step it shows as prefix_history, with the
    // few tokens it invalidated (the emulator agrees, see cache-causes.e2e); otherwise none.
    expect(["none", "prefix_history"]).toContain(row2?.miss_cause);
  });

  it("prices only what was priced: unknown stays unknown, a missing cache-read price is partial, auto is priced by the routed model", async () => {
    const unpriced = await turn(
      "A turn on a model nobody priced.",
      "agent:main:ledger-kimi",
      "cloudsigma/kimi-k2.6",
    );
    await turn("A first turn on gpt-5.4.", "agent:main:ledger-54", "cloudsigma/gpt-5.4");
    const partly = await turn(
      "A second turn on gpt-5.4.",
      "agent:main:ledger-54",
      "cloudsigma/gpt-5.4",
    );
    const routed = await turn("Let TaaS choose.", "agent:main:ledger-auto", "cloudsigma/auto");

    // The host has no price for kimi-k2.6: whatever figure it reports, the cost is unknown.
    expect(unpriced.result.usage?.cost?.total ?? 0).toBe(0);
    const [kimi] = await rowsOfRun(unpriced.result, 1);
    expect(kimi).toMatchObject({ model: "kimi-k2.6", cost_nusd: null, cost_state: "unknown" });
    expect(kimi?.input).toBeGreaterThan(0);

    // gpt-5.4's second call reads the first one's prefix from cache, which has no price.
    const [row54] = await rowsOfRun(partly.result, 1);
    expect(partly.requests.at(-1)?.cachedTokens).toBeGreaterThan(0);
    if (!row54) throw new Error("no row for the second gpt-5.4 turn");
    expect(row54).toMatchObject({
      cost_state: "partial",
      cost_source: "catalog",
      saving_nusd: null,
    });
    expect(row54.cost_nusd).toBe(priced({ ...row54, cache_read: 0 }, GPT_54));

    // `auto`: TaaS routed it (the emulator's log says to which); priced at that model's price.
    const request = routed.requests.at(-1);
    expect(request?.body).toMatchObject({ model: "auto" });
    expect(request?.model).toBe("gpt-5.5");
    const [autoRow] = await rowsOfRun(routed.result, 1);
    if (!autoRow) throw new Error("no row for the auto turn");
    expect(routed.result.usage?.cost?.total ?? 0).toBe(0); // the host priced `auto`: nothing
    expect(autoRow).toMatchObject({
      model: "auto",
      routed_model: "gpt-5.5",
      upstream_route: request?.replica,
      cost_state: "known",
      cost_source: "catalog",
    });
    expect(autoRow.cost_nusd).toBe(priced(autoRow, GPT_55));

    // Reports: by the model that priced the call, or by the one asked for; with the markers.
    const report = async (by: string) =>
      (await gatewayCall<ReportPayload>(host.state, "usage-ledger.report", { by, since: "1h" }))
        .json;
    const byModel = await report("model");
    const byRequested = await report("requested-model");
    const group = (payload: ReportPayload, key: string) => payload.rows.find((r) => r.key === key);
    expect(group(byModel, "cloudsigma/auto")).toBeUndefined();
    expect(group(byRequested, "cloudsigma/auto")).toMatchObject({ calls: 1, costState: "known" });
    expect(group(byModel, "cloudsigma/gpt-5.5")?.calls).toBe(
      (group(byRequested, "cloudsigma/gpt-5.5")?.calls ?? 0) + 1,
    );
    expect(group(byModel, "cloudsigma/kimi-k2.6")).toMatchObject({
      costUsd: null,
      costState: "unknown",
      unpricedCalls: 1,
    });
    const unpricedOf = (model?: string) =>
      rows()
        .filter((r) => r.cost_state !== "known" && (!model || r.model === model))
        .reduce((sum, r) => sum + r.calls, 0);
    expect(group(byModel, "cloudsigma/gpt-5.4")).toMatchObject({
      costState: "partial",
      unpricedCalls: unpricedOf("gpt-5.4"),
    });
    expect(byModel.totals).toMatchObject({ costState: "partial", unpricedCalls: unpricedOf() });

    const table = await runOpenClaw(
      host.state,
      ["usage-ledger", "report", "--by", "model", "--since", "1h"],
      {
        logName: "usage-ledger-report-table",
      },
    );
    // COST and SAVED unknown, then the top cause column.
    expect(table.stdout).toMatch(/cloudsigma\/kimi-k2\.6\s.*\s\?\s+\?\s+\S+\n/);
    expect(table.stdout).toMatch(/cloudsigma\/gpt-5\.4\s.*~/);
    const unknownRows = rows().filter((r) => r.cost_state === "unknown").length;
    expect(table.stdout).toContain(`${unknownRows} row(s) without a known price`);
  });

  it("a tool round trip makes one row per model call, adding up to the host's run total", async () => {
    const { result, requests } = await turn(
      'Look something up [[tool:tool_search {"query":"time"}]]',
      TOOL_SESSION,
    );
    expect(requests).toHaveLength(2);
    const found = await rowsOfRun(result, 2);
    expect(found.map((r) => [r.granularity, r.call_id, r.cache_read, r.output])).toEqual(
      requests.map((request, i) => [
        "call",
        `${result.runId}:model:${i + 1}`,
        request.cachedTokens,
        request.completionTokens,
      ]),
    );
    expect(found.reduce((sum, r) => sum + r.total, 0)).toBe(result.usage?.total);
  });

  it("the audit log has exactly one line per ledger row", async () => {
    const expected = rows()
      .map((r) => r.event_id)
      .sort();
    const lines = await waitFor(`${expected.length} audit line(s)`, () => {
      const found = existsSync(auditFile) ? readFileSync(auditFile, "utf8").trim().split("\n") : [];
      return found.length >= expected.length ? found : undefined;
    });
    const audit = lines.map(
      (line) => JSON.parse(line) as { eventId: string; usage: { cacheRead: number } },
    );
    expect(audit.map((l) => l.eventId).sort()).toEqual(expected);
  });

  it("deleting the session leaves its rows", async () => {
    const before = rows("session_key = ?", SESSION);
    expect(before).toHaveLength(2);
    const { json } = await gatewayCall<{ ok?: boolean; deleted?: boolean }>(
      host.state,
      "sessions.delete",
      {
        key: SESSION,
        deleteTranscript: true,
      },
    );
    expect(json).toMatchObject({ ok: true, deleted: true });
    expect(rows("session_key = ?", SESSION)).toEqual(before);
  });

  it("the gateway method and the CLI report print the same figures", async () => {
    const params = { by: "session", since: "1d" };
    const { json: method } = await gatewayCall<ReportPayload>(
      host.state,
      "usage-ledger.report",
      params,
    );
    const all = rows();
    const sessionRow = method.rows.find((r) => r.key === SESSION);
    const sessionRows = all.filter((r) => r.session_key === SESSION);
    expect(sessionRow).toMatchObject({
      calls: 2,
      input: sessionRows.reduce((s, r) => s + r.input, 0),
      cacheRead: sessionRows.reduce((s, r) => s + r.cache_read, 0),
    });
    expect(method.totals.calls).toBe(all.reduce((s, r) => s + r.calls, 0));
    expect(method.totals.hitPercent).toBeLessThanOrEqual(100);

    const cli = await runOpenClaw(
      host.state,
      ["usage-ledger", "report", "--by", "session", "--since", "1d", "--json"],
      {
        logName: "usage-ledger-report",
      },
    );
    const printed = parseJsonOutput<ReportPayload>(cli, "openclaw usage-ledger report --json");
    expect(printed.rows).toEqual(method.rows);
    expect(printed.totals).toEqual(method.totals);
  });

  it("a spawned subagent's calls say 'subagent', a cron run's 'cron', a woken heartbeat's 'heartbeat', and the report groups them", async () => {
    const spawn = `[[tool:tool_call ${JSON.stringify({
      id: "sessions_spawn",
      args: { task: "A subagent task for the ledger.", runtime: "subagent" },
    })}]]`;
    const parent = await runAgentTurn(host.state, {
      message: `Delegate this ${spawn}`,
      sessionKey: "agent:main:ledger-spawn",
    });
    // The host reports a subagent's run as "user"; its session key says what it is.
    const subagent = await waitFor(
      "the subagent's rows",
      () => nonEmpty(rows("session_key LIKE 'agent:main:subagent:%'")),
      60_000,
    );
    expect(subagent.map((r) => r.trigger)).toEqual(subagent.map(() => "subagent"));
    expect((await rowsOfRun(parent, 1)).map((r) => r.trigger)).toContain("user");

    const added = await runOpenClaw(
      host.state,
      [
        "cron",
        "add",
        "--name",
        "ledger-cron",
        "--every",
        "1h",
        "--message",
        "Cron turn.",
        "--json",
      ],
      { logName: "cron-add" },
    );
    const job = parseJsonOutput<{ id?: string; job?: { id?: string } }>(added, "openclaw cron add");
    const jobId = job.id ?? job.job?.id;
    expect(jobId).toBeTruthy();
    await runOpenClaw(host.state, ["cron", "run", String(jobId)], { logName: "cron-run" });
    const cron = await waitFor("a cron row", () => nonEmpty(rows("trigger = 'cron'")), 60_000);
    expect(cron[0]?.session_key).toMatch(/^agent:main:cron:/);

    // A system event woken now runs the main session as a heartbeat.
    await runOpenClaw(
      host.state,
      ["system", "event", "--text", "Ledger wake-up.", "--mode", "now"],
      {
        logName: "system-event",
      },
    );
    const heartbeat = await waitFor(
      "a heartbeat row",
      () => nonEmpty(rows("trigger = 'heartbeat'")),
      60_000,
    );
    expect(heartbeat[0]?.session_key).toBe("agent:main:main");

    const { json } = await gatewayCall<ReportPayload>(host.state, "usage-ledger.report", {
      by: "trigger",
      since: "1h",
    });
    const calls = (trigger: string) =>
      rows("trigger = ?", trigger).reduce((sum, r) => sum + r.calls, 0);
    for (const trigger of ["user", "subagent", "cron", "heartbeat"]) {
      expect(json.rows.find((r) => r.key === trigger)?.calls).toBe(calls(trigger));
    }
  });

  it("SIGKILL during a burst of turns loses no committed row, and the ledger reopens cleanly", async () => {
    const before = rows().length;
    // burst-1 completes; the emulator holds the other two turns' model calls (see the emulator's
    // latency trigger), so they are certainly in flight when the gateway dies, however the three
    // CLI processes happen to be scheduled on this machine.
    const burst = ["burst-1", "burst-2 [[latency:120000]]", "burst-3 [[latency:120000]]"].map(
      (name, i) =>
        runAgentTurn(host.state, {
          message: `Burst turn ${name}.`,
          sessionKey: `agent:main:burst-${i + 1}`,
          timeoutMs: 90_000,
        }),
    );
    // Kill as soon as burst-1's row is committed, with the other two turns still in flight.
    const first = await burst[0];
    await waitFor("burst-1's row", () => nonEmpty(rows("run_id = ?", first?.runId ?? "?")));
    const committed = rows();
    expect(committed.length).toBeGreaterThan(before);
    await host.gateway?.kill();
    host.gateway = undefined;
    const settled = await Promise.allSettled(burst.slice(1));
    // The kill really landed mid-burst: the held turns lost their gateway.
    expect(settled.map((result) => result.status)).toEqual(["rejected", "rejected"]);

    const db = openDatabase(ledger, { busyTimeoutMs: 2_000 });
    try {
      expect(db.prepare("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      const ids = new Set(
        db
          .prepare("SELECT event_id FROM usage_rows")
          .all()
          .map((r) => String(r.event_id)),
      );
      expect(committed.filter((r) => !ids.has(r.event_id))).toEqual([]);
      // The rollup was written in the same transactions: it agrees with the rows exactly.
      const counts = db
        .prepare(
          "SELECT (SELECT count(*) FROM usage_rows) AS raw, (SELECT sum(rows) FROM usage_hourly) AS rollup",
        )
        .get();
      expect(counts?.raw).toBe(counts?.rollup);
    } finally {
      db.close();
    }

    // The plugin opens the same file again after the crash and keeps recording.
    await host.startGateway();
    const rowsBefore = rows().length;
    const after = await runAgentTurn(host.state, {
      message: "After the crash.",
      sessionKey: "agent:main:after",
    });
    const { json } = await gatewayCall<ReportPayload>(host.state, "usage-ledger.report", {
      by: "session",
      since: "1h",
    });
    expect(json.rows.find((r) => r.key === "agent:main:after")?.calls).toBe(1);
    expect(rows("run_id = ?", after.runId ?? "?")).toHaveLength(1);
    // (The host may also resume an interrupted burst turn on restart: that adds its own row.)
    expect(rows().length).toBeGreaterThanOrEqual(rowsBefore + 1);
  });
});
