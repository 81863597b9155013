import { describe, expect, it } from "vitest";
import {
  buildHiddenOrchestratorTask,
  stripInjectedContext,
  unwrapOrchestratorTask,
} from "./prompts.ts";
import { childSessionKeyOf, isSpawnAccepted, specFromJson } from "./spawn-spec.ts";
import { sanitizeLabel, taskPreview } from "./text.ts";

describe("orchestrator task wrapping", () => {
  it("unwraps what it wrapped, however often", () => {
    const once = buildHiddenOrchestratorTask("agent:main:main", "ship it");
    expect(unwrapOrchestratorTask(once)).toBe("ship it");
    expect(unwrapOrchestratorTask(buildHiddenOrchestratorTask("agent:main:main", once))).toBe(
      "ship it",
    );
    expect(unwrapOrchestratorTask("  plain task ")).toBe("plain task");
  });

  it("strips an injected status block", () => {
    expect(stripInjectedContext("[Orchestrator status snapshot]\n- a\n- b\n\nreal question")).toBe(
      "real question",
    );
    expect(stripInjectedContext("[Orchestrator status snapshot]\n- a")).toBe("");
    expect(stripInjectedContext(" just text ")).toBe("just text");
  });
});

describe("spawn specs", () => {
  const spec = { task: "index the docs", label: "indexer", agentId: "main" };
  it("reads a stored spec back tolerantly", () => {
    expect(specFromJson(JSON.stringify({ ...spec, thread: true, bogus: 1 }))).toEqual({
      ...spec,
      thread: true,
    });
    expect(specFromJson("not json")).toEqual({ task: "" });
  });

  it.each([
    [{ details: { status: "accepted" } }, undefined, true],
    [{ status: "ok" }, undefined, true],
    [{ details: { status: "forbidden" } }, undefined, false],
    [{ details: { status: "error", error: "nope" } }, undefined, false],
    [{ isError: true }, undefined, false],
    [{ content: [] }, undefined, true],
    [{ details: { status: "accepted" } }, "tool failed", false],
  ])("spawn result %j (error %j) accepted: %s", (result, error, accepted) => {
    expect(isSpawnAccepted(result, error)).toBe(accepted);
  });

  it("finds the child session key in a result", () => {
    expect(childSessionKeyOf({ details: { childSessionKey: "agent:main:subagent:1" } })).toBe(
      "agent:main:subagent:1",
    );
    expect(childSessionKeyOf({ a: { b: { c: { childSessionKey: "k" } } } })).toBe("k");
    expect(childSessionKeyOf({ content: [{ text: '{"childSessionKey":"k"}' }] })).toBeUndefined();
  });
});

describe("text helpers", () => {
  it.each([
    ["Thread Orchestrator", "thread-orchestrator"],
    ["  Ünïcode & Co. v2 ", "ncode--co.-v2"],
    ["!!!", undefined],
    ["x".repeat(80), "x".repeat(64)],
  ])("sanitizes the label %j to %j", (input, expected) => {
    expect(sanitizeLabel(input)).toBe(expected);
  });

  it("previews a task on one bounded line", () => {
    expect(taskPreview("a\n\n b")).toBe("a b");
    expect(taskPreview("")).toBe("(no task)");
    expect(taskPreview("y".repeat(200))).toHaveLength(180);
  });
});
