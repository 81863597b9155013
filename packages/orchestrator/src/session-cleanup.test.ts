import { afterEach, describe, expect, it } from "vitest";
import { type Fixture, MAIN, makeFixture } from "./orchestrator.test-support.ts";
import { onSubagentEnded } from "./retry.ts";
import { onSessionEnd } from "./session-cleanup.ts";
import { onSubagentSpawned } from "./spawn-tracking.ts";
import { onBeforeToolCall } from "./tool-policy.ts";

const ORCH = "agent:main:subagent:orch";
const WORKER = "agent:main:subagent:worker";
const OTHER = "agent:main:other";

const fixtures: Fixture[] = [];
afterEach(() => {
  for (const fixture of fixtures.splice(0)) fixture.cleanup();
});

function tree(): Fixture {
  const fixture = makeFixture();
  fixtures.push(fixture);
  const spawn = (requester: string, child: string, task: string) => {
    const planned = onBeforeToolCall(
      fixture.deps,
      { toolName: "sessions_spawn", params: { task }, toolCallId: child },
      {
        sessionKey: requester,
      },
    );
    const label = planned && "params" in planned ? planned.params.label : undefined;
    onSubagentSpawned(
      fixture.deps,
      { childSessionKey: child, ...(typeof label === "string" ? { label } : {}) },
      {
        requesterSessionKey: requester,
      },
    );
  };
  spawn(MAIN, ORCH, "lead");
  spawn(ORCH, WORKER, "work");
  spawn(OTHER, "agent:main:subagent:other-orch", "other");
  onSubagentEnded(fixture.deps, {
    targetSessionKey: WORKER,
    targetKind: "subagent",
    outcome: "error",
  });
  fixture.deps.store().notes.set(MAIN, "last_user_message", "hi", 0);
  return fixture;
}
const count = (fixture: Fixture, table: string) =>
  fixture.rows(`SELECT count(*) AS n FROM ${table}`)[0]?.n;

describe("session_end", () => {
  it.each(["new", "reset", "idle", "daily", "deleted"])(
    "forgets a main session that ended for good (%s): its orchestrator, workers, budgets and notes",
    (reason) => {
      const fixture = tree();
      expect(count(fixture, "retry_budgets")).toBe(1);
      onSessionEnd(fixture.deps, { sessionKey: MAIN, reason });
      expect(fixture.rows("SELECT requester_session_key FROM tracked_sessions")).toEqual([
        { requester_session_key: OTHER },
      ]);
      expect(count(fixture, "retry_budgets")).toBe(0);
      expect(count(fixture, "session_notes")).toBe(0);
    },
  );

  it.each(["shutdown", "restart", "compaction", undefined])(
    "keeps everything when the session continues (%s)",
    (reason) => {
      const fixture = tree();
      onSessionEnd(fixture.deps, { sessionKey: MAIN, ...(reason ? { reason } : {}) });
      expect(count(fixture, "tracked_sessions")).toBe(3);
      expect(count(fixture, "retry_budgets")).toBe(1);
      expect(count(fixture, "session_notes")).toBe(1);
    },
  );

  it("keeps a subagent's tracked row when its own session ends (its requester owns it)", () => {
    const fixture = tree();
    onSessionEnd(fixture.deps, { sessionKey: ORCH, reason: "deleted" });
    expect(count(fixture, "tracked_sessions")).toBe(3);
  });
});
