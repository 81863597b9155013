import { afterEach, describe, expect, it } from "vitest";
import { type Fixture, MAIN, makeFixture } from "./orchestrator.test-support.ts";
import { onBeforePromptBuild } from "./prompt-hook.ts";
import { buildFrontControllerPrompt } from "./prompts.ts";
import { onSubagentSpawned } from "./spawn-tracking.ts";
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
const build = (
  fixture: Fixture,
  sessionKey: string | undefined,
  prompt = "hello",
  trigger?: string,
) =>
  onBeforePromptBuild(
    fixture.deps,
    { prompt, currentUserMessage: prompt, messages: [] },
    {
      ...(sessionKey ? { sessionKey } : {}),
      ...(trigger ? { trigger } : {}),
    },
  );

function spawn(fixture: Fixture, requester: string, child: string, task: string): void {
  const planned = onBeforeToolCall(
    fixture.deps,
    { toolName: "sessions_spawn", params: { task, label: "w" }, toolCallId: child },
    {
      sessionKey: requester,
    },
  );
  const label = planned && "params" in planned ? String(planned.params.label) : "w";
  onSubagentSpawned(
    fixture.deps,
    { childSessionKey: child, label },
    { requesterSessionKey: requester },
  );
}

describe("before_prompt_build", () => {
  it.each([
    ["the main session", MAIN, true],
    ["a channel session", "agent:ops:discord:channel:1", true],
    ["a subagent", "agent:main:subagent:abc", false],
    ["no session key", undefined, false],
    ["the global session (global session scope)", "global", true],
    ["an isolated cron run", "cron:daily-digest", true],
    ["a webhook run", "hook:5f0c2a9e-1b7d-4c1a-9a1e-2f4b8c6d7e80", true],
    ["a subagent spawned by a cron run", "cron:daily-digest:subagent:1", false],
    ["an ACP harness session", "acp:codex:1", false],
  ])("injects the rules as system context into %s: %s", (_label, sessionKey, injected) => {
    const fixture = setup({ maxRetriesPerTask: 4 });
    const result = build(fixture, sessionKey);
    expect(result).toEqual(
      injected ? { appendSystemContext: buildFrontControllerPrompt(4) } : undefined,
    );
    if (injected) expect(result?.appendSystemContext).toContain("Retry limit: 4.");
  });

  it("injects nothing when switched off", () => {
    expect(build(setup({ injectOrchestratorPrompt: false }), MAIN)).toBeUndefined();
  });

  it("adds the orchestrator and its workers' status before the user's message once there is one", () => {
    const fixture = setup();
    const orchestrator = "agent:main:subagent:orch";
    spawn(fixture, MAIN, orchestrator, "plan it");
    spawn(fixture, orchestrator, "agent:main:subagent:w1", "read   the\nlogs");
    const result = build(fixture, MAIN);
    expect(result?.prependContext?.split("\n")).toEqual([
      "[Orchestrator status snapshot]",
      `- Active hidden orchestrator session: ${orchestrator}`,
      `- Use sessions_send with sessionKey=${orchestrator} for new delegated work in this thread.`,
      "- Workers tracked: 1",
      "- [running] agent:main:subagent:w1 (w) :: read the logs",
    ]);
    // The orchestrator itself gets no injection.
    expect(build(fixture, orchestrator)).toBeUndefined();
  });

  it("notes the last user message (not a heartbeat prompt) as the fallback task, without injected text", () => {
    const fixture = setup();
    build(fixture, MAIN, "[Orchestrator status snapshot]\n- Active x\n\nship the fix");
    build(fixture, MAIN, "Heartbeat: anything to do?", "heartbeat");
    expect(fixture.rows("SELECT last_user_message FROM session_notes")).toEqual([
      { last_user_message: "ship the fix" },
    ]);
    expect(
      onBeforeToolCall(
        fixture.deps,
        { toolName: "sessions_spawn", params: {} },
        { sessionKey: MAIN },
      ),
    ).toMatchObject({
      params: { task: expect.stringMatching(/Primary task from front-controller:\nship the fix$/) },
    });
  });

  it("reads the last user message from the transcript when the event has no current message", () => {
    const fixture = setup();
    onBeforePromptBuild(
      fixture.deps,
      {
        messages: [
          { role: "user", content: [{ type: "text", text: "from history" }] },
          { role: "assistant", content: "ok" },
        ],
      },
      { sessionKey: MAIN },
    );
    expect(fixture.rows("SELECT last_user_message FROM session_notes")).toEqual([
      { last_user_message: "from history" },
    ]);
  });
});
