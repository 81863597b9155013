import { describe, expect, it } from "vitest";
import { parseOrchestratorSettings } from "./config.ts";
import type { OrchestratorDeps } from "./deps.ts";
import { createOrchestratorHooks } from "./hooks.ts";
import type { TrackingStore } from "./tracking-store.ts";

function brokenDeps(config: Record<string, unknown>) {
  const logs: string[] = [];
  const deps: OrchestratorDeps = {
    settings: parseOrchestratorSettings(config),
    store: (): TrackingStore => {
      throw new Error("database is locked");
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
      "error orchestrator: before_prompt_build failed: database is locked",
      "error orchestrator: before_tool_call failed: database is locked",
      "error orchestrator: subagent_ended failed: database is locked",
      "error orchestrator: session_end failed: database is locked",
    ]);
  });

  it.each([
    ["exec in main", "agent:main:main", "exec", {}, true],
    ["exec through tool_call in main", "agent:main:main", "tool_call", { id: "exec" }, true],
    ["a session tool in main", "agent:main:main", "sessions_spawn", {}, false],
    ["tool_search in main", "agent:main:main", "tool_search", {}, false],
    ["exec in a subagent", "agent:main:subagent:x", "exec", {}, false],
  ])(
    "still enforces delegation without state: %s blocked %s",
    (_label, sessionKey, toolName, params, blocked) => {
      const { hooks } = brokenDeps({ enforceMainDelegation: true });
      const result = hooks.beforeToolCall({ toolName, params }, { sessionKey });
      expect(result === undefined ? false : "block" in result).toBe(blocked);
    },
  );
});
