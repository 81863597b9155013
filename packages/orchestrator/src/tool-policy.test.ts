import { afterEach, describe, expect, it } from "vitest";
import { type Fixture, MAIN, makeFixture } from "./orchestrator.test-support.ts";
import { onSubagentSpawned } from "./spawn-tracking.ts";
import { onBeforeToolCall, type ToolCallEvent } from "./tool-policy.ts";

const ORCH = "agent:main:subagent:orch-1";
const WORKER = "agent:main:subagent:worker-1";

const fixtures: Fixture[] = [];
afterEach(() => {
  for (const fixture of fixtures.splice(0)) fixture.cleanup();
});
const setup = (config: Record<string, unknown> = {}) => {
  const fixture = makeFixture(config);
  fixtures.push(fixture);
  return fixture;
};

let calls = 0;
const tool = (
  toolName: string,
  params: Record<string, unknown> = {},
  runId = "run-1",
): ToolCallEvent => ({
  toolName,
  params,
  runId,
  toolCallId: `call-${++calls}`,
});
/** Spawns the thread's orchestrator from MAIN and a worker from it, as the host reports them. */
function spawnTree(fixture: Fixture): void {
  const planned = onBeforeToolCall(
    fixture.deps,
    tool("sessions_spawn", { task: "plan the release" }),
    {
      sessionKey: MAIN,
    },
  );
  const label = planned && "params" in planned ? String(planned.params.label) : "";
  expect(label).toMatch(/^thread-orchestrator-[0-9a-f]{10}$/);
  // The host reports the child with the label the hook set.
  onSubagentSpawned(fixture.deps, { childSessionKey: ORCH, label }, { requesterSessionKey: MAIN });
  expect(fixture.rows("SELECT session_key FROM tracked_sessions")).toEqual([{ session_key: ORCH }]);
}

describe("tool policy", () => {
  const MAIN_BLOCK =
    "Front-controller session tool 'exec' blocked by orchestrator policy. Use sessions_spawn to start a hidden orchestrator first.";
  it.each([
    ["main, enforcement off", {}, MAIN, tool("exec"), undefined],
    ["main, enforced, exec", { enforceMainDelegation: true }, MAIN, tool("exec"), MAIN_BLOCK],
    [
      "main, enforced, exec through tool_call",
      { enforceMainDelegation: true },
      MAIN,
      tool("tool_call", { id: "exec", args: {} }),
      MAIN_BLOCK,
    ],
    [
      "main, enforced, qualified id",
      { enforceMainDelegation: true },
      MAIN,
      tool("tool_call", { id: "openclaw:core:exec" }),
      MAIN_BLOCK,
    ],
    [
      "main, enforced, tool_search",
      { enforceMainDelegation: true },
      MAIN,
      tool("tool_search", { query: "x" }),
      undefined,
    ],
    [
      "main, enforced, tool_describe",
      { enforceMainDelegation: true },
      MAIN,
      tool("tool_describe", { id: "exec" }),
      undefined,
    ],
    [
      "main, enforced, sessions_list",
      { enforceMainDelegation: true },
      MAIN,
      tool("sessions_list"),
      undefined,
    ],
    [
      "main, enforced, tool_call of memory_get",
      { enforceMainDelegation: true },
      MAIN,
      tool("tool_call", { id: "memory_get" }),
      undefined,
    ],
    [
      "main, enforced, an added tool",
      { enforceMainDelegation: true, allowedMainTools: ["exec"] },
      MAIN,
      tool("exec"),
      undefined,
    ],
    [
      "a channel session is a main session too",
      { enforceMainDelegation: true },
      "agent:ops:telegram:42",
      tool("exec"),
      MAIN_BLOCK,
    ],
    [
      "an untracked subagent",
      { enforceMainDelegation: true },
      "agent:main:subagent:other",
      tool("exec"),
      undefined,
    ],
    ["no session", { enforceMainDelegation: true }, undefined, tool("exec"), undefined],
    ["the global session", { enforceMainDelegation: true }, "global", tool("exec"), MAIN_BLOCK],
    [
      "an isolated cron run",
      { enforceMainDelegation: true },
      "cron:nightly-report",
      tool("exec"),
      MAIN_BLOCK,
    ],
    ["a webhook run", { enforceMainDelegation: true }, "hook:gmail:abc", tool("exec"), MAIN_BLOCK],
    [
      "a subagent of a cron run",
      { enforceMainDelegation: true },
      "cron:nightly:subagent:x",
      tool("exec"),
      undefined,
    ],
  ])("%s", (_label, config, sessionKey, event, blockReason) => {
    const fixture = setup(config);
    const result = onBeforeToolCall(fixture.deps, event, { sessionKey });
    expect(result).toEqual(blockReason === undefined ? undefined : { block: true, blockReason });
  });

  it("names the thread's orchestrator in the main session's block reason", () => {
    const fixture = setup({ enforceMainDelegation: true });
    spawnTree(fixture);
    expect(
      onBeforeToolCall(fixture.deps, tool("read", { path: "a" }), { sessionKey: MAIN }),
    ).toEqual({
      block: true,
      blockReason: `Front-controller session tool 'read' blocked by orchestrator policy. Use sessions_send with sessionKey='${ORCH}' to delegate work.`,
    });
  });

  it("refuses an orchestrator's own work twice per run and tool with a delegation hint, then lets it through", () => {
    const fixture = setup();
    spawnTree(fixture);
    const exec = () =>
      onBeforeToolCall(fixture.deps, tool("tool_call", { id: "exec", args: { command: "ls" } }), {
        sessionKey: ORCH,
      });
    for (const _attempt of [1, 2]) {
      expect(exec()).toEqual({
        block: true,
        blockReason: expect.stringMatching(
          /^Hidden orchestrator policy blocked 'exec'\. Delegate this to a worker using sessions_spawn .*"task":"Use tool exec with params \{\\"command\\":\\"ls\\"\}/,
        ),
      });
    }
    expect(exec()).toBeUndefined();
    expect(fixture.recorded.logs.at(-1)).toMatch(
      /allowing direct tool fallback .*\(exec, attempts=3\)/,
    );
    // Counted per run: a new run starts over.
    expect(
      onBeforeToolCall(fixture.deps, tool("exec", {}, "run-2"), { sessionKey: ORCH }),
    ).toMatchObject({ block: true });
    // Session tools are never refused, and workers are unrestricted.
    expect(
      onBeforeToolCall(fixture.deps, tool("sessions_spawn", { task: "w" }), { sessionKey: ORCH }),
    ).toBeUndefined();
  });
});

describe("sessions_spawn planning", () => {
  it("turns a main session's spawn into the thread's hidden orchestrator", () => {
    const fixture = setup();
    const result = onBeforeToolCall(
      fixture.deps,
      tool("sessions_spawn", { task: "plan the release", runtime: "subagent" }),
      {
        sessionKey: MAIN,
      },
    );
    expect(result).toEqual({
      params: {
        runtime: "subagent",
        label: expect.stringMatching(/^thread-orchestrator-[0-9a-f]{10}$/),
        task: expect.stringMatching(
          /^\[Hidden Thread Orchestrator\]\nrequesterSessionKey: agent:main:main\n[\s\S]*\nplan the release$/,
        ),
      },
    });
    expect(
      fixture.rows("SELECT kind, requester_session_key, spec_json FROM pending_spawns"),
    ).toEqual([
      {
        kind: "orchestrator",
        requester_session_key: MAIN,
        spec_json: expect.stringContaining('"task":"plan the release"'),
      },
    ]);
  });

  it("keeps one orchestrator per thread while it runs", () => {
    const fixture = setup();
    spawnTree(fixture);
    expect(
      onBeforeToolCall(fixture.deps, tool("sessions_spawn", { task: "more" }), {
        sessionKey: MAIN,
      }),
    ).toEqual({
      block: true,
      blockReason: `Hidden orchestrator already active (${ORCH}). Use sessions_send to delegate additional work and session_status/sessions_history to poll progress.`,
    });
  });

  it("records a worker spawn as asked, filling a missing task from the last delegated one", () => {
    const fixture = setup();
    spawnTree(fixture);
    expect(
      onBeforeToolCall(
        fixture.deps,
        tool("sessions_spawn", { task: "build it", label: "builder" }),
        { sessionKey: ORCH },
      ),
    ).toBeUndefined();
    onSubagentSpawned(
      fixture.deps,
      { childSessionKey: WORKER, label: "builder" },
      { requesterSessionKey: ORCH },
    );
    fixture.deps.store().notes.set(ORCH, "last_delegated_task", "test it", fixture.clock.value);
    expect(
      onBeforeToolCall(fixture.deps, tool("sessions_spawn", {}), { sessionKey: ORCH }),
    ).toEqual({ params: { task: "test it" } });
    expect(
      fixture.rows(
        "SELECT session_key, kind, requester_session_key, label, task_preview FROM tracked_sessions WHERE kind = 'worker'",
      ),
    ).toEqual([
      {
        session_key: WORKER,
        kind: "worker",
        requester_session_key: ORCH,
        label: "builder",
        task_preview: "build it",
      },
    ]);
  });

  it("routes the front's status reads to its orchestrator and the orchestrator's untargeted sends to its requester", () => {
    const fixture = setup();
    spawnTree(fixture);
    expect(
      onBeforeToolCall(fixture.deps, tool("session_status", {}), { sessionKey: MAIN }),
    ).toEqual({ params: { sessionKey: ORCH } });
    expect(
      onBeforeToolCall(fixture.deps, tool("sessions_history", { sessionKey: "x" }), {
        sessionKey: MAIN,
      }),
    ).toBeUndefined();
    expect(
      onBeforeToolCall(fixture.deps, tool("sessions_send", { message: "done" }), {
        sessionKey: ORCH,
      }),
    ).toEqual({
      params: { message: "done", sessionKey: MAIN },
    });
  });
});

describe("names the model made up", () => {
  it("repeats a tool name the model made up bounded and on one line, in the reason and the log", () => {
    const fixture = setup({ enforceMainDelegation: true });
    const name = `x\n${"y".repeat(5_000)}`;
    const result = onBeforeToolCall(fixture.deps, tool(name), { sessionKey: MAIN });
    const reason = result && "blockReason" in result ? result.blockReason : "";
    expect(reason).toMatch(
      /^Front-controller session tool 'x y+ …\[cut\]' blocked by orchestrator policy\./,
    );
    expect(reason.length).toBeLessThan(250);
    expect(fixture.recorded.logs).toEqual([
      expect.stringMatching(/^info orchestrator: blocked 'x y+ …\[cut\]' in main session /),
    ]);
    expect(fixture.recorded.logs[0]?.length).toBeLessThan(250);
  });
});
