import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { parseOrchestratorSettings } from "./config.ts";
import type { OrchestratorDeps } from "./deps.ts";
import { createOrchestratorHooks } from "./hooks.ts";
import { type Fixture, MAIN, makeFixture } from "./orchestrator.test-support.ts";
import { onSubagentSpawned } from "./spawn-tracking.ts";
import { onBeforeToolCall } from "./tool-policy.ts";
import type { TrackingStore } from "./tracking-store.ts";

function brokenDeps(config: Record<string, unknown>) {
  const logs: string[] = [];
  const deps: OrchestratorDeps = {
    settings: parseOrchestratorSettings(config),
    store: (): TrackingStore => {
      throw new Error("disk I/O error");
    },
    now: () => 0,
    logger: {
      info: (m) => logs.push(`info ${m}`),
      warn: (m) => logs.push(`warn ${m}`),
      error: (m) => logs.push(`error ${m}`),
    },
    system: { enqueue: () => true, requestHeartbeat: () => undefined },
  };
  return { hooks: createOrchestratorHooks(deps), logs };
}

describe("when the state is unavailable", () => {
  it("logs and never throws into the host", () => {
    const { hooks, logs } = brokenDeps({});
    expect(
      hooks.beforePromptBuild({ prompt: "hi" }, { sessionKey: "agent:main:main" }),
    ).toBeUndefined();
    expect(
      hooks.beforeToolCall({ toolName: "exec", params: {} }, { sessionKey: "agent:main:main" }),
    ).toBeUndefined();
    expect(() =>
      hooks.subagentEnded({ targetSessionKey: "k", targetKind: "subagent", outcome: "error" }),
    ).not.toThrow();
    expect(() =>
      hooks.sessionEnd({ sessionKey: "agent:main:main", reason: "reset" }),
    ).not.toThrow();
    expect(logs).toEqual([
      "error orchestrator: before_prompt_build failed: disk I/O error",
      "error orchestrator: before_tool_call failed: disk I/O error",
      "error orchestrator: subagent_ended failed: disk I/O error",
      "error orchestrator: session_end failed: disk I/O error",
    ]);
  });

  it.each([
    ["exec in main", "agent:main:main", "exec", {}, true],
    ["exec through tool_call in main", "agent:main:main", "tool_call", { id: "exec" }, true],
    ["a session tool in main", "agent:main:main", "sessions_spawn", {}, false],
    ["tool_search in main", "agent:main:main", "tool_search", {}, false],
    ["exec in a subagent", "agent:main:subagent:x", "exec", {}, false],
    ["exec in the global session", "global", "exec", {}, true],
    ["exec in a cron run", "cron:nightly", "exec", {}, true],
    ["exec in a webhook run", "hook:abc", "exec", {}, true],
  ])(
    "still enforces delegation without state: %s blocked %s",
    (_label, sessionKey, toolName, params, blocked) => {
      const { hooks } = brokenDeps({ enforceMainDelegation: true });
      const result = hooks.beforeToolCall({ toolName, params }, { sessionKey });
      expect(result === undefined ? false : "block" in result).toBe(blocked);
    },
  );
});

describe("when another process holds the state's write lock", () => {
  const fixtures: Fixture[] = [];
  afterEach(() => {
    for (const fixture of fixtures.splice(0)) fixture.cleanup();
  });

  it("skips the bookkeeping within a short wait and logs it; main-session policy still holds", () => {
    const fixture = makeFixture({ enforceMainDelegation: true });
    fixtures.push(fixture);
    const child = "agent:main:subagent:c1";
    onBeforeToolCall(
      fixture.deps,
      { toolName: "sessions_spawn", params: { task: "t" }, toolCallId: "c1" },
      { sessionKey: MAIN },
    );
    onSubagentSpawned(
      fixture.deps,
      {
        childSessionKey: child,
        label: String(fixture.rows("SELECT label FROM pending_spawns")[0]?.label),
      },
      { requesterSessionKey: MAIN },
    );
    const hooks = createOrchestratorHooks(fixture.deps);
    const other = new DatabaseSync(fixture.path);
    other.exec("BEGIN IMMEDIATE");
    try {
      const started = performance.now();
      hooks.subagentEnded({ targetSessionKey: child, targetKind: "subagent", outcome: "error" });
      expect(
        hooks.beforeToolCall({ toolName: "exec", params: {} }, { sessionKey: MAIN }),
      ).toMatchObject({ block: true });
      // The gateway's event loop waits while SQLite does: well under a second for both hooks.
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    expect(fixture.recorded.events).toEqual([]);
    expect(fixture.recorded.logs.filter((line) => line.startsWith("error "))).toEqual([
      "error orchestrator: subagent_ended skipped: the state database was locked by another process for more than 50 ms (database is locked)",
    ]);
    expect(fixture.rows("SELECT status FROM tracked_sessions")).toEqual([{ status: "running" }]);
  });
});
