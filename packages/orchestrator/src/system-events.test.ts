import { describe, expect, it } from "vitest";
import { type HostSystem, hostSystemEvents } from "./system-events.ts";

function fakeSystem(withSuccessor: boolean) {
  const calls: Array<[string, unknown]> = [];
  const base = {
    enqueueSystemEvent: (text: string, options: unknown) => {
      calls.push(["enqueueSystemEvent", { text, options }]);
      return true;
    },
    requestHeartbeatNow: (options: unknown) => {
      calls.push(["requestHeartbeatNow", options]);
    },
  };
  const system: HostSystem = withSuccessor
    ? {
        ...base,
        requestHeartbeat: (options: unknown) => {
          calls.push(["requestHeartbeat", options]);
        },
      }
    : base;
  return { system, calls };
}

describe("host system events", () => {
  it("queues the event with the session's agent and asks for an event heartbeat (the successor API)", () => {
    const { system, calls } = fakeSystem(true);
    const events = hostSystemEvents(() => system);
    expect(events.enqueue("x", { sessionKey: "agent:ops:main", contextKey: "k" })).toBe(true);
    events.requestHeartbeat({ sessionKey: "agent:ops:main", reason: "r" });
    expect(calls).toEqual([
      [
        "enqueueSystemEvent",
        { text: "x", options: { sessionKey: "agent:ops:main", contextKey: "k", agentId: "ops" } },
      ],
      [
        "requestHeartbeat",
        {
          source: "hook",
          intent: "event",
          reason: "r",
          sessionKey: "agent:ops:main",
          agentId: "ops",
        },
      ],
    ]);
  });

  it("falls back to the deprecated requestHeartbeatNow only on a host without requestHeartbeat", () => {
    const { system, calls } = fakeSystem(false);
    hostSystemEvents(() => system).requestHeartbeat({ sessionKey: "agent:main:main", reason: "r" });
    expect(calls).toEqual([
      ["requestHeartbeatNow", { reason: "r", sessionKey: "agent:main:main", agentId: "main" }],
    ]);
  });
});
