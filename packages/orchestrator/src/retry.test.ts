import { afterEach, describe, expect, it } from "vitest";
import {
  endChild as ended,
  type Fixture,
  MAIN,
  makeFixture,
  spawnChild as spawn,
} from "./orchestrator.test-support.ts";
import { onSubagentEnded } from "./retry.ts";
import { onAfterToolCall } from "./spawn-tracking.ts";
import { onBeforeToolCall } from "./tool-policy.ts";

const fixtures: Fixture[] = [];
afterEach(() => {
  for (const fixture of fixtures.splice(0)) fixture.cleanup();
});
const setup = (config: Record<string, unknown> = {}) => {
  const fixture = makeFixture(config);
  fixtures.push(fixture);
  return fixture;
};

describe("retries of failed subagents", () => {
  it("queues one retry event to the requester, asks for a heartbeat, and stops at the budget", () => {
    const fixture = setup({ maxRetriesPerTask: 2 });
    const spec = { task: "  index   the docs ", runtime: "subagent", model: "cheap/model" };
    const first = spawn(fixture, MAIN, spec);
    ended(fixture, first, "error");
    expect(fixture.recorded.events).toEqual([
      {
        sessionKey: MAIN,
        contextKey: expect.stringMatching(/^orchestrator-retry:[0-9a-f]{16}:1$/),
        text: expect.any(String),
      },
    ]);
    expect(fixture.recorded.events[0]?.text.split("\n")).toEqual([
      "<orchestrator-retry>",
      `failedChildSession: ${first}`,
      "outcome: error",
      "attempt: 1/2",
      "action: Respawn this subagent task immediately via sessions_spawn.",
      "task: index   the docs",
      expect.stringMatching(/^label: thread-orchestrator-[0-9a-f]{10}$/),
      "agentId: ",
      "model: cheap/model",
      "thinking: ",
      "mode: ",
      "thread: false",
      "</orchestrator-retry>",
    ]);
    expect(fixture.recorded.heartbeats).toEqual([
      { sessionKey: MAIN, reason: "orchestrator-subagent-retry" },
    ]);

    // The model respawns the same task (wrapped text or not, extra whitespace or not): same budget.
    const second = spawn(fixture, MAIN, { ...spec, task: "index the docs" });
    ended(fixture, second, "timeout");
    const third = spawn(fixture, MAIN, spec);
    ended(fixture, third, "error");
    expect(fixture.recorded.events.map((event) => event.text.split("\n")[3])).toEqual([
      "attempt: 1/2",
      "attempt: 2/2",
    ]);
    expect(fixture.recorded.heartbeats).toHaveLength(2);
    expect(
      fixture.rows(
        "SELECT failed_session_key, outcome, attempt, decision FROM retry_log ORDER BY id",
      ),
    ).toEqual([
      { failed_session_key: first, outcome: "error", attempt: 1, decision: "queued" },
      { failed_session_key: second, outcome: "timeout", attempt: 2, decision: "queued" },
      { failed_session_key: third, outcome: "error", attempt: null, decision: "exhausted" },
    ]);
    expect(fixture.recorded.logs).toContainEqual(
      expect.stringMatching(/^warn orchestrator: retry budget exhausted \(2\/2\) for /),
    );
    expect(
      fixture.rows(
        "SELECT status, outcome, error FROM tracked_sessions WHERE session_key = ?",
        third,
      ),
    ).toEqual([{ status: "error", outcome: "error", error: "boom" }]);
  });

  it.each([
    ["a successful run", {}, "ok"],
    ["an outcome not configured for retry", {}, "killed"],
    ["retries switched off", { autoRetryFailedSubagents: false }, "error"],
  ])("queues nothing for %s", (_label, config, outcome) => {
    const fixture = setup(config);
    const child = spawn(fixture, MAIN, { task: "t" });
    ended(fixture, child, outcome);
    expect(fixture.recorded.events).toEqual([]);
    expect(fixture.recorded.heartbeats).toEqual([]);
    expect(fixture.rows("SELECT status FROM tracked_sessions")).toEqual([{ status: outcome }]);
  });

  it("retries the outcomes it is configured for", () => {
    const fixture = setup({ retryOutcomes: ["killed", "deleted"] });
    ended(fixture, spawn(fixture, MAIN, { task: "a" }), "killed");
    ended(fixture, spawn(fixture, "agent:main:other", { task: "b" }), "error");
    expect(fixture.recorded.events.map((event) => event.sessionKey)).toEqual([MAIN]);
  });

  it("ignores subagents it did not see spawned, and ACP targets", () => {
    const fixture = setup();
    onSubagentEnded(fixture.deps, {
      targetSessionKey: "agent:main:subagent:unknown",
      targetKind: "subagent",
      outcome: "error",
    });
    const child = spawn(fixture, MAIN, { task: "t" });
    onSubagentEnded(fixture.deps, { targetSessionKey: child, targetKind: "acp", outcome: "error" });
    expect(fixture.recorded.events).toEqual([]);
  });

  it("sends a worker's retry to its orchestrator", () => {
    const fixture = setup();
    const orchestrator = spawn(fixture, MAIN, { task: "lead" });
    const worker = spawn(fixture, orchestrator, { task: "dig", label: "digger" });
    ended(fixture, worker, "error");
    expect(fixture.recorded.events).toEqual([
      expect.objectContaining({ sessionKey: orchestrator }),
    ]);
    expect(fixture.recorded.events[0]?.text).toContain("task: dig\nlabel: digger\n");
  });

  it("gives the retry back when the host refuses the event, and logs it", () => {
    const fixture = setup({ maxRetriesPerTask: 1 });
    fixture.acceptEvents(false);
    ended(fixture, spawn(fixture, MAIN, { task: "t" }), "error");
    expect(fixture.recorded.heartbeats).toEqual([]);
    expect(fixture.rows("SELECT decision FROM retry_log")).toEqual([
      { decision: "enqueue-failed" },
    ]);
    fixture.acceptEvents(true);
    ended(fixture, spawn(fixture, MAIN, { task: "t" }), "error");
    expect(fixture.recorded.events).toHaveLength(1);
  });

  it("keeps budgets and tracked sessions across a restart", () => {
    const fixture = setup({ maxRetriesPerTask: 1 });
    const first = spawn(fixture, MAIN, { task: "t" });
    fixture.reopen();
    ended(fixture, first, "error");
    fixture.reopen();
    ended(fixture, spawn(fixture, MAIN, { task: "t" }), "error");
    expect(fixture.recorded.events).toHaveLength(1);
    expect(fixture.rows("SELECT decision FROM retry_log ORDER BY id")).toEqual([
      { decision: "queued" },
      { decision: "exhausted" },
    ]);
  });
});

describe("binding spawns to child sessions", () => {
  it("binds from the tool result when subagent_spawned did not, and drops refused spawns", () => {
    const fixture = setup();
    const event = {
      toolName: "sessions_spawn",
      params: { task: "w" },
      runId: "r",
      toolCallId: "tc",
    };
    onBeforeToolCall(fixture.deps, event, { sessionKey: MAIN });
    onAfterToolCall(
      fixture.deps,
      {
        ...event,
        result: { details: { status: "accepted", childSessionKey: "agent:main:subagent:k" } },
      },
      { sessionKey: MAIN },
    );
    expect(fixture.rows("SELECT session_key, kind FROM tracked_sessions")).toEqual([
      { session_key: "agent:main:subagent:k", kind: "orchestrator" },
    ]);

    const refused = { ...event, toolCallId: "tc2", params: { task: "x" } };
    onBeforeToolCall(
      fixture.deps,
      { ...refused, toolName: "sessions_spawn" },
      { sessionKey: "agent:main:other" },
    );
    onAfterToolCall(
      fixture.deps,
      { ...refused, result: { details: { status: "forbidden" } } },
      { sessionKey: "agent:main:other" },
    );
    expect(fixture.rows("SELECT count(*) AS n FROM pending_spawns")).toEqual([{ n: 0 }]);
    expect(fixture.rows("SELECT count(*) AS n FROM tracked_sessions")).toEqual([{ n: 1 }]);
    expect(fixture.recorded.logs).toContainEqual(
      "warn orchestrator: sessions_spawn was not accepted for agent:main:other; skipping bind/worker tracking",
    );
  });
});
