import { describe, expect, it } from "vitest";
import { assistant, callBase, KEY, RUN, SID, setup } from "./call-tracker.test-support.ts";
import { oncePerError, registerTrackerHooks } from "./tracker-hooks.ts";

type Handler = (event?: unknown, ctx?: unknown) => unknown;

function recordingApi() {
  const hooks = new Map<string, Handler>();
  const api = {
    on: (hook: string, handler: Handler) => void hooks.set(hook, handler),
  } as Parameters<typeof registerTrackerHooks>[0];
  const fire = (hook: string, event?: unknown, ctx?: unknown) => hooks.get(hook)?.(event, ctx);
  return { api, hooks, fire };
}

describe("registerTrackerHooks", () => {
  it("registers the call-tracking hooks and gateway_stop, creating the tracker on the first event", () => {
    const { api, hooks, fire } = recordingApi();
    const { rows, tracker } = setup();
    let created = 0;
    let stopped = 0;
    registerTrackerHooks(api, {
      tracker: () => {
        created += 1;
        return tracker;
      },
      onError: () => {},
      stop: () => {
        stopped += 1;
      },
    });
    expect([...hooks.keys()].sort()).toEqual([
      "agent_end",
      "before_message_write",
      "gateway_stop",
      "llm_input",
      "llm_output",
      "model_call_ended",
      "model_call_started",
    ]);
    expect(created).toBe(0);
    fire("llm_input", { runId: RUN, sessionId: SID }, { agentId: "main", sessionKey: KEY });
    fire("model_call_started", callBase(1));
    fire("model_call_ended", { ...callBase(1), outcome: "completed" });
    expect(
      fire(
        "before_message_write",
        { message: assistant({ input: 5, output: 1 }) },
        {
          agentId: "main",
          sessionKey: KEY,
        },
      ),
    ).toBeUndefined();
    expect(rows.map((r) => [r.callId, r.agentId, r.usage.input])).toEqual([
      [`${RUN}:model:1`, "main", 5],
    ]);
    fire("gateway_stop");
    expect(stopped).toBe(1);
  });

  it("never throws into the host: a failing handler is reported, once per hook and message", () => {
    const { api, fire } = recordingApi();
    const lines: string[] = [];
    registerTrackerHooks(api, {
      tracker: () => {
        throw new Error("ledger unavailable");
      },
      onError: oncePerError((line) => lines.push(line)),
      stop: () => {},
    });
    for (let i = 0; i < 3; i++) {
      expect(() => fire("model_call_started", callBase(1))).not.toThrow();
      expect(() => fire("agent_end", {}, {})).not.toThrow();
    }
    expect(lines).toEqual([
      "model_call_started handler failed (the turn is unaffected): ledger unavailable",
      "agent_end handler failed (the turn is unaffected): ledger unavailable",
    ]);
  });
});
